package io.tcpwatch.job.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
        JsonNode marks = get("vertices/" + vertexId(vertexName) + "/watermarks");
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
        long sum = 0;
        for (JsonNode subtask : get("vertices/" + vertexId(vertexName)).get("subtasks")) {
            sum += subtask.get("metrics").get("read-records").asLong();
        }
        return sum;
    }

    long completedCheckpoints() {
        return get("checkpoints").get("counts").get("completed").asLong();
    }

    private String vertexId(String namePart) {
        for (JsonNode v : get("").get("vertices")) {
            if (v.get("name").asText().contains(namePart)) {
                return v.get("id").asText();
            }
        }
        throw new IllegalArgumentException("no vertex named like '" + namePart + "'");
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
