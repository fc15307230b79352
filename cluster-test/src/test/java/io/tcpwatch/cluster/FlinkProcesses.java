package io.tcpwatch.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * A Flink application cluster the way the Flink Kubernetes Operator runs one, as two processes
 * on this machine: {@code StandaloneApplicationClusterEntryPoint} (the JobManager, the job jar in
 * {@code usrlib}, the job started detached inside it) and a {@code TaskManagerRunner}. Their
 * classpath holds only Flink's own jars (what this module's runtime dependencies resolve to);
 * their configuration is the FlinkDeployment's {@code flinkConfiguration}, with local directories
 * for its object storage, no Kubernetes HA and free ports.
 */
final class FlinkProcesses implements AutoCloseable {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    /** The JVM the test runs on, for the cluster's processes too. */
    private static final String JAVA = ProcessHandle.current().info().command().orElse("java");
    /**
     * {@code env.java.opts.all} of Flink's distribution (and so of its images) for Java 17: the
     * launch scripts pass them to every Flink JVM; the runtime reflects into these packages.
     */
    private static final String JAVA_17_OPTS = String.join(" ",
            "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED",
            "--add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED", "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED",
            "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.text=ALL-UNNAMED",
            "--add-opens=java.base/java.time=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
            "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

    private final Path home;
    private final Path logs;
    private final int restPort;
    private Process jobManager;
    private Process taskManager;
    private int starts;
    private String javaOpts;
    private int metricsPort;

    /** A Flink home under {@code home} (conf/, lib/, usrlib/ with {@code jobJar}) for {@code deployment}'s configuration. */
    FlinkProcesses(Path home, Path deployment, Path jobJar) throws IOException {
        this.home = home;
        this.logs = Files.createDirectories(home.resolve("log"));
        Files.createDirectories(home.resolve("lib"));
        Files.createDirectories(home.resolve("usrlib"));
        Files.copy(jobJar, home.resolve("usrlib").resolve(jobJar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        this.restPort = freePort();
        writeConfiguration(deployment);
    }

    int restPort() {
        return restPort;
    }

    /**
     * The names of the metrics the Prometheus reporters of the JobManager and the TaskManager
     * serve now (each binds the first free port of the configured range).
     */
    Set<String> prometheusMetricNames() throws InterruptedException {
        Set<String> names = new TreeSet<>();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        for (int port = metricsPort; port <= metricsPort + 20; port++) {
            try {
                String text = http.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                text.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
                        .forEach(l -> names.add(l.split("[{ ]", 2)[0]));
            } catch (IOException e) {
                // nothing on this port of the range
            }
        }
        return names;
    }

    Path home() {
        return home;
    }

    /** The deployment's spec: its job arguments, entry class and parallelism. */
    static JsonNode spec(Path deployment) throws IOException {
        return YAML.readTree(deployment.toFile()).get("spec");
    }

    private void writeConfiguration(Path deployment) throws IOException {
        JsonNode spec = spec(deployment);
        Map<String, String> conf = new LinkedHashMap<>();
        spec.get("flinkConfiguration").fields().forEachRemaining(e -> conf.put(e.getKey(), e.getValue().asText()));
        // object storage → local directories; Kubernetes HA → none (one JobManager, restarted by the test)
        conf.replaceAll((k, v) -> v.startsWith("s3://") ? home.resolve("storage").toUri() + v.substring("s3://".length()) : v);
        conf.remove("high-availability.type");
        conf.remove("high-availability.storageDir");
        metricsPort = freePort();
        conf.put("metrics.reporter.prom.port", metricsPort + "-" + (metricsPort + 20));
        // what a pod's environment gives: addresses, ports, memory
        conf.put("jobmanager.rpc.address", "localhost");
        conf.put("jobmanager.rpc.port", Integer.toString(freePort()));
        conf.put("rest.address", "localhost");
        conf.put("rest.bind-address", "localhost");
        conf.put("rest.port", Integer.toString(restPort));
        conf.put("taskmanager.host", "localhost");
        conf.put("jobmanager.memory.process.size", "1024m");
        conf.put("taskmanager.memory.process.size", "1280m");
        conf.put("taskmanager.memory.network.max", "64m");
        conf.put("parallelism.default", "2");
        conf.put("io.tmp.dirs", Files.createDirectories(home.resolve("tmp")).toString());
        conf.putIfAbsent("env.java.opts.all", JAVA_17_OPTS);
        javaOpts = conf.get("env.java.opts.all");
        StringBuilder yaml = new StringBuilder();
        conf.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
        Path confDir = Files.createDirectories(home.resolve("conf"));
        Files.writeString(confDir.resolve("config.yaml"), yaml);
        Files.writeString(confDir.resolve("log4j2.properties"), """
                rootLogger.level = INFO
                rootLogger.appenderRef.out.ref = out
                appender.out.type = Console
                appender.out.name = out
                appender.out.layout.type = PatternLayout
                appender.out.layout.pattern = %d{HH:mm:ss.SSS} %-5p %c{1}: %m%n
                """);
    }

    /** Starts the JobManager with {@code jobArgs} (from {@code savepoint} when not null), then a TaskManager. */
    void start(String entryClass, List<String> jobArgs, String savepoint) throws IOException {
        starts++;
        List<String> jm = new ArrayList<>(List.of("org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint",
                "--configDir", home.resolve("conf").toString(), "--job-classname", entryClass));
        if (savepoint != null) {
            jm.addAll(List.of("--fromSavepoint", savepoint));
        }
        jm.addAll(jobArgs);
        jobManager = java(resources("GET_JM_RESOURCE_PARAMS").jvm(), jm, "jobmanager-" + starts);
        Resources tmResources = resources("GET_TM_RESOURCE_PARAMS");
        List<String> tm = new ArrayList<>(List.of("org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                "--configDir", home.resolve("conf").toString()));
        tm.addAll(tmResources.dynamicProperties());
        taskManager = java(tmResources.jvm(), tm, "taskmanager-" + starts);
    }

    /** The JVM's memory flags, and the derived resource settings a TaskManager takes as dynamic properties. */
    private record Resources(List<String> jvm, List<String> dynamicProperties) {}

    /**
     * What Flink's launch scripts compute before starting a process ({@code BashJavaUtils}) from the
     * configured process size.
     */
    private Resources resources(String command) throws IOException {
        Process p = new ProcessBuilder(JAVA, "-cp", clusterClasspath(), "org.apache.flink.runtime.util.bash.BashJavaUtils",
                command, "--configDir", home.resolve("conf").toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> results = out.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).strip()).toList();
        if (results.isEmpty()) {
            throw new IOException("BashJavaUtils " + command + " said:\n" + out);
        }
        return new Resources(List.of(results.get(0).split(" ")),
                results.size() > 1 ? List.of(results.get(1).split(" ")) : List.of());
    }

    boolean jobManagerAlive() {
        return jobManager != null && jobManager.isAlive();
    }

    /** Waits for the JobManager to end by itself (after stop-with-savepoint); true if it did. */
    boolean awaitJobManagerExit(long seconds) throws InterruptedException {
        return jobManager.waitFor(seconds, TimeUnit.SECONDS);
    }

    Path jobManagerLog() {
        return logs.resolve("jobmanager-" + starts + ".log");
    }

    void stopTaskManager() throws InterruptedException {
        if (taskManager != null) {
            taskManager.destroy();
            if (!taskManager.waitFor(30, TimeUnit.SECONDS)) {
                taskManager.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        for (Process p : new Process[] {jobManager, taskManager}) {
            if (p != null && p.isAlive()) {
                p.destroy();
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor();
                }
            }
        }
    }

    private Process java(List<String> jvmMemory, List<String> mainAndArgs, String name) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(JAVA));
        cmd.addAll(jvmMemory);
        cmd.addAll(List.of(javaOpts.split(" "))); // as Flink's launch scripts pass them
        cmd.addAll(List.of("-Dlog4j.configurationFile=" + home.resolve("conf/log4j2.properties").toUri(),
                "-cp", clusterClasspath()));
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logs.resolve(name + ".log").toFile());
        pb.environment().put("FLINK_CONF_DIR", home.resolve("conf").toString());
        pb.environment().put("FLINK_LIB_DIR", home.resolve("lib").toString()); // usrlib/ is its sibling
        return pb.start();
    }

    private static String clusterClasspath() {
        try {
            return Files.readString(Path.of(System.getProperty("tcpwatch.cluster.classpath"))).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
