package io.tcpwatch.agent.testing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/** The top-level scalar fields of one JSON object, as text (nested objects and arrays become "[…]"). */
public final class JsonFields {
    private JsonFields() {}

    public static Map<String, String> of(byte[] json) throws IOException {
        Map<String, String> m = new HashMap<>();
        try (JsonParser p = new JsonFactory().createParser(json)) {
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                if (t.isStructStart()) {
                    p.skipChildren();
                    m.put(name, "[…]");
                } else {
                    m.put(name, p.getText());
                }
            }
        }
        return m;
    }

    public static Map<String, String> of(String json) throws IOException {
        return of(json.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
