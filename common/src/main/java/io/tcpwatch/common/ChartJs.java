package io.tcpwatch.common;

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
        try (InputStream in = ChartJs.class.getResourceAsStream(SCRIPT)) {
            if (in == null) {
                throw new IllegalStateException("the Chart.js WebJar is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String version() {
        try (InputStream in = ChartJs.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/chart.js/pom.properties")) {
            if (in == null) {
                throw new IllegalStateException("the Chart.js WebJar is missing from the classpath");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
