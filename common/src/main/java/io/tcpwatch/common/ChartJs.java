package io.tcpwatch.common;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The Chart.js WebJar on the classpath (a module that draws charts depends on it): its version,
 * read from its Maven metadata, and its script, served by the dashboard and inlined in reports.
 */
public final class ChartJs {
    public static final String VERSION = version();
    /** Where the WebJar keeps the script, on the classpath. */
    public static final String SCRIPT = "/META-INF/resources/webjars/chart.js/" + VERSION + "/dist/chart.umd.js";

    private ChartJs() {}

    /** The script's source. */
    public static String script() {
        return new String(resource(SCRIPT), StandardCharsets.UTF_8);
    }

    private static String version() {
        Properties p = new Properties();
        try {
            p.load(new ByteArrayInputStream(resource("/META-INF/maven/org.webjars.npm/chart.js/pom.properties")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p.getProperty("version");
    }

    private static byte[] resource(String path) {
        try (InputStream in = ChartJs.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("the Chart.js WebJar is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
