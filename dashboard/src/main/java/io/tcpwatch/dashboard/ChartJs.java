package io.tcpwatch.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The version of the Chart.js WebJar on the classpath (read from its Maven metadata). */
final class ChartJs {
    static final String VERSION = version();

    private ChartJs() {}

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
