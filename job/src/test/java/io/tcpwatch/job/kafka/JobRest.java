package io.tcpwatch.job.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.apache.flink.api.common.JobID;

/**
 * What a running job's REST API tells a test: the input watermark and the records read of a
 * vertex (by a part of its name), and the completed checkpoints. The cluster refreshes these
 * metrics every few seconds, so callers poll them with a bound.
 */
final class JobRest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final URI job;

    JobRest(URI rest, JobID id) {
        this.job = rest.resolve("/jobs/" + id + "/");
    }

    /** The smallest current input watermark over the vertex's subtasks; Long.MIN_VALUE until every one reports. */
    long inputWatermark(String vertexName, int parallelism) {
        String vertex = vertexId(vertexName);
        if (vertex == null) {
            return Long.MIN_VALUE;
        }
        JsonNode marks = get("vertices/" + vertex + "/watermarks");
        if (marks.size() < parallelism) {
            return Long.MIN_VALUE;
        }
        long min = Long.MAX_VALUE;
        for (JsonNode m : marks) {
            min = Math.min(min, Long.parseLong(m.get("value").asText()));
        }
        return min;
    }

    /** Records the vertex's subtasks have read from their inputs, summed. */
    long recordsRead(String vertexName) {
        String vertex = vertexId(vertexName);
        long sum = 0;
        if (vertex == null) {
            return sum;
        }
        for (JsonNode subtask : get("vertices/" + vertex).get("subtasks")) {
            sum += subtask.get("metrics").get("read-records").asLong();
        }
        return sum;
    }

    /** The largest value of the vertex's metrics whose id matches; null until one is reported. */
    Long metricMax(String vertexName, Predicate<String> id) {
        return metricValues(vertexName, id).stream().reduce(Math::max).orElse(null);
    }

    /** The sum of the vertex's metrics whose id matches (over subtasks); null until one is reported. */
    Long metricSum(String vertexName, Predicate<String> id) {
        return metricValues(vertexName, id).stream().reduce(Long::sum).orElse(null);
    }

    private List<Long> metricValues(String vertexName, Predicate<String> id) {
        String vertex = vertexId(vertexName);
        List<String> ids = new ArrayList<>();
        for (JsonNode m : vertex == null ? List.<JsonNode>of() : get("vertices/" + vertex + "/metrics")) {
            if (id.test(m.get("id").asText())) {
                ids.add(m.get("id").asText());
            }
        }
        List<Long> values = new ArrayList<>();
        if (ids.isEmpty()) {
            return values;
        }
        String query = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
        for (JsonNode m : get("vertices/" + vertex + "/metrics?get=" + query)) {
            values.add((long) Double.parseDouble(m.get("value").asText()));
        }
        return values;
    }

    long completedCheckpoints() {
        return get("checkpoints").get("counts").get("completed").asLong();
    }

    /** The id of the vertex whose name contains {@code namePart}; null while the job has no vertices yet. */
    private String vertexId(String namePart) {
        List<String> names = new ArrayList<>();
        for (JsonNode v : get("").path("vertices")) {
            if (v.get("name").asText().contains(namePart)) {
                return v.get("id").asText();
            }
            names.add(v.get("name").asText());
        }
        if (names.isEmpty()) {
            return null;
        }
        throw new IllegalArgumentException("no vertex named like '" + namePart + "' in " + names);
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(job.resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(job.resolve(path) + ": HTTP " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
