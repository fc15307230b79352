package io.tcpwatch.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The few calls of Flink's REST API the test needs: jobs, checkpoints, stop-with-savepoint. */
final class FlinkRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final URI base;

    FlinkRest(int port) {
        this.base = URI.create("http://localhost:" + port + "/");
    }

    /** The one job's id and state, or null while the REST endpoint or the job is not there yet. */
    String[] job() {
        try {
            JsonNode jobs = get("jobs/overview").get("jobs");
            if (jobs == null || jobs.isEmpty()) {
                return null;
            }
            return new String[] {jobs.get(0).get("jid").asText(), jobs.get(0).get("state").asText()};
        } catch (IOException | InterruptedException e) {
            return null;
        }
    }

    long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return get("jobs/" + jobId + "/checkpoints").get("counts").get("completed").asLong();
    }

    /** The latest completed checkpoint: "size B in duration ms", for the report. */
    String latestCheckpoint(String jobId) throws IOException, InterruptedException {
        JsonNode c = get("jobs/" + jobId + "/checkpoints").get("latest").get("completed");
        return c == null || c.isNull() ? "none"
                : String.format("%,d bytes in %d ms", c.get("state_size").asLong(), c.get("end_to_end_duration").asLong());
    }

    long restoredCheckpointOrSavepoint(String jobId) throws IOException, InterruptedException {
        JsonNode restored = get("jobs/" + jobId + "/checkpoints").get("latest").get("restored");
        return restored == null || restored.isNull() ? -1 : restored.get("id").asLong();
    }

    /** Stop-with-savepoint (no drain); returns the trigger id. */
    String stopWithSavepoint(String jobId, String directory) throws IOException, InterruptedException {
        String body = JSON.writeValueAsString(JSON.createObjectNode().put("targetDirectory", directory).put("drain", false));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("jobs/" + jobId + "/stop"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body()).get("request-id").asText();
    }

    /** The savepoint's location once the stop completed, null while in progress. */
    String savepoint(String jobId, String triggerId) throws IOException, InterruptedException {
        JsonNode r = get("jobs/" + jobId + "/savepoints/" + triggerId);
        if (!"COMPLETED".equals(r.get("status").get("id").asText())) {
            return null;
        }
        JsonNode op = r.get("operation");
        if (op.has("failure-cause")) {
            throw new IllegalStateException("stop-with-savepoint failed: " + op.get("failure-cause"));
        }
        return op.get("location").asText();
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException(path + ": HTTP " + r.statusCode() + " " + r.body());
        }
        return JSON.readTree(r.body());
    }
}
