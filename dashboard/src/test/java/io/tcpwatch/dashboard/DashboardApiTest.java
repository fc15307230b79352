package io.tcpwatch.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.tcpwatch.agent.testing.KafkaBrokerExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard's REST API, live events and metrics on a real broker holding real job output. */
@Timeout(300)
class DashboardApiTest {

    @RegisterExtension
    static final KafkaBrokerExtension KAFKA = new KafkaBrokerExtension();

    static Dashboard dashboard;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        Records.produceAll(KAFKA.broker());
        Dashboard.Settings s = Dashboard.Settings.defaults(KAFKA.broker().bootstrap()).withPort(0);
        dashboard = new Dashboard(s);
        await("the dashboard consumed the topics").atMost(Duration.ofMinutes(3))
                .until(() -> dashboard.store().received("connections") >= 205 && dashboard.store().received("detections") >= 231);
    }

    @AfterAll
    static void stop() throws Exception {
        dashboard.close();
    }

    static HttpResponse<String> send(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The drawing itself, from records that carry packets, is DashboardLadderTest's (the CLI module's). */
    @Test
    void aLadderIsOnlyForAKeptDetectionWithPackets() throws Exception {
        assertThat(send("/api/ladder")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).isEqualTo("id is required: the detection whose packets to draw\n");
        });
        assertThat(send("/api/ladder?id=nope")).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("no detection with id nope is kept\n");
        });
        String episode = get("/api/detections?type=CONNECTION_LIMIT").get(0).path("id").asText();
        assertThat(send("/api/ladder?id=" + episode)).satisfies(r -> {
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).contains("carries no packets (only findings on one connection do)");
        });
    }

    static JsonNode get(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return Records.JSON.readTree(r.body());
    }

    @Test
    void fleetEpisodesAreListedOnceWithTheirLatestStatus() throws Exception {
        JsonNode all = get("/api/detections?limit=1000&server=10.77.1.2:700");
        // 221 per-connection findings + 5 episodes (each opened, then resolved), whatever the other tests add
        assertThat(all.size() - (all.toString().contains("live-test") ? 1 : 0)).isEqualTo(226);
        JsonNode limit = get("/api/detections?type=CONNECTION_LIMIT");
        assertThat(limit).hasSize(1);
        assertThat(limit.get(0).path("status").asText()).isEqualTo("RESOLVED");
        assertThat(limit.get(0).path("opened").asText()).isEqualTo(limit.get(0).path("start").asText());
        assertThat(limit.get(0).path("evidence").path("limit").asInt()).isEqualTo(8);
    }

    @Test
    void filtersNarrowTheDetections() throws Exception {
        assertThat(get("/api/detections?server=10.77.1.2:7006&type=HALF_OPEN&limit=1000")).hasSize(150);
        assertThat(get("/api/detections?client=10.77.0.32&limit=1000")).allSatisfy(d ->
                assertThat(d.path("client").asText()).startsWith("10.77.0.32:"));
        assertThat(get("/api/detections?status=RESOLVED")).hasSize(5);
        assertThat(get("/api/detections?from=2026-11-22T03:01:30Z&limit=1000"))
                .allSatisfy(d -> assertThat(d.path("server").asText()).isIn("10.77.1.2:7005", "10.77.1.2:7006"));
        assertThat(get("/api/detections?since=1m")).as("the corpus is from earlier today").isEmpty();
    }

    @Test
    void theFleetOverviewAndSeriesComeFromTheFleetStats() throws Exception {
        JsonNode fleet = get("/api/fleet");
        List<String> servers = new ArrayList<>();
        fleet.path("servers").forEach(s -> servers.add(s.path("server").asText()));
        assertThat(servers).containsExactly("10.77.1.2:7003", "10.77.1.2:7005", "10.77.1.2:7006");
        assertThat(fleet.path("servers").get(0).path("latest").path("concurrency_high_water").asInt()).isEqualTo(8);
        assertThat(get("/api/fleet?series=1&server=10.77.1.2:7006")).isNotEmpty()
                .allSatisfy(w -> assertThat(w.path("server").asText()).isEqualTo("10.77.1.2:7006"));
        assertThat(get("/api/connections?server=10.77.1.2:7003&limit=1000")).hasSize(42);
    }

    @Test
    void liveEventsMetricsAndBadParameters() throws Exception {
        HttpResponse<java.io.InputStream> stream = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + dashboard.port() + "/api/events")).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader events = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            assertThat(events.readLine()).isEqualTo(": tcpwatch live");
            JsonNode d = Records.load("detections").stream().filter(r -> r.path("type").asText().equals("SYN_RETRANSMIT"))
                    .findFirst().orElseThrow();
            ((com.fasterxml.jackson.databind.node.ObjectNode) d).put("id", "live-test");
            try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.broker().bootstrap()),
                    new StringSerializer(), new StringSerializer())) {
                p.send(new ProducerRecord<>("tcp.detections", d.toString())).get();
            }
            String line;
            do {
                line = events.readLine();
            } while (line != null && !line.startsWith("data: "));
            assertThat(line).contains("\"id\":\"live-test\"");
        }
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port()
                + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "metrics.txt"), metrics.body());
        assertThat(metrics.body()).as("see target/metrics.txt").contains("tcpwatch_dashboard_detections_total{severity=\"WARNING\",type=\"HALF_OPEN\"} 150.0",
                "tcpwatch_dashboard_records_total{topic=\"connections\"} 205.0", "tcpwatch_dashboard_open_incidents 0.0",
                "tcpwatch_dashboard_store_records{kind=\"connections\"} 205.0");
        HttpResponse<String> bad = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dashboard.port()
                + "/api/detections?since=yesterday")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body()).contains("a duration is a number and s, m, h or d");
    }

    @Test
    void aTokenIsRequiredWhenOneIsSetAndABusyPortIsOneSentence() throws Exception {
        Dashboard.Settings s = Dashboard.Settings.defaults(KAFKA.broker().bootstrap()).withPort(0).withToken("s3cret");
        try (Dashboard guarded = new Dashboard(s)) {
            String base = "http://127.0.0.1:" + guarded.port();
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/fleet")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(401);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/fleet")).header("Authorization", "Bearer s3cret").build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
            assertThat(HTTP.send(HttpRequest.newBuilder(URI.create(base + "/?token=s3cret")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("<title>tcpwatch");
            Dashboard.Settings same = Dashboard.Settings.defaults(KAFKA.broker().bootstrap()).withPort(guarded.port());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> DashboardCommand.start(same))
                    .hasMessage("127.0.0.1:" + guarded.port() + " is already in use (choose another with --port)");
        }
    }
}
