package io.tcpwatch.common;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine;

/** {@code -V}: the version the build stamped into this jar, and the Java runtime it runs on. */
public final class BuildVersion implements CommandLine.IVersionProvider {

    /** The project's version, as Maven built it. */
    public static String version() {
        try (InputStream in = BuildVersion.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException("reading the build's version", e);
        }
    }

    @Override
    public String[] getVersion() {
        return new String[] {"tcpwatch " + version(),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
    }
}
