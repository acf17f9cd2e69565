package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.torchstream.testing.BuildFacts;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink standalone session cluster of real processes on 127.0.0.1, laid out as the Docker image is:
 * a JobManager, and TaskManagers with DJL on their own classpath (Flink's lib/), started from the
 * Maven artifacts (target/cluster/*.classpath, written by {@code mvn package}). Jobs are submitted as
 * {@code flink run} does it, through Flink's CliFrontend. Every process is ended by pid on close.
 */
public final class LocalFlinkCluster implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
    // Processes of clusters not closed (a test aborted, Ctrl-C) must not outlive this JVM.
    private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly)));
    }

    /** One started JVM of the cluster. */
    public static final class Node {
        private final String name;
        private final Process process;
        private final Path log;

        Node(String name, Process process, Path log) {
            this.name = name;
            this.process = process;
            this.log = log;
        }

        public String name() {
            return name;
        }

        public long pid() {
            return process.pid();
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public Path log() {
            return log;
        }

        /** SIGKILL, as a machine or OOM killer would end it. */
        public void kill() {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** A line of /proc/PID/status (VmRSS, Threads...) as a number, or -1 once the process is gone. */
        public long status(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid()), "status"))) {
                    if (line.startsWith(field + ":")) {
                        return Long.parseLong(line.replaceAll("[^0-9]", ""));
                    }
                }
            } catch (IOException | NumberFormatException gone) {
                return -1;
            }
            return -1;
        }

        void stop() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(15, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
            }
        }
    }

    /** The outcome of a {@code flink run}. */
    public record Submission(int exitCode, String jobId, String output) {}

    private final Path dir;
    private final Path conf;
    private final String flinkClasspath;
    private final String djlClasspath;
    private final int restPort;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Node> nodes = new ArrayList<>();
    private Node jobManager;
    private int taskManagerCount;
    private int jobManagerCount;

    private LocalFlinkCluster(Path dir, String flinkClasspath, String djlClasspath, int restPort) {
        this.dir = dir;
        this.conf = dir.resolve("conf");
        this.flinkClasspath = flinkClasspath;
        this.djlClasspath = djlClasspath;
        this.restPort = restPort;
    }

    /**
     * Writes a Flink configuration into {@code dir} and starts the JobManager.
     *
     * @param project the repository root (target/cluster/*.classpath must exist: mvn package)
     * @param slotsPerTaskManager slots of each TaskManager
     * @param settings more Flink configuration (flat keys)
     */
    public static LocalFlinkCluster start(
            Path project, Path dir, int slotsPerTaskManager, Map<String, String> settings) {
        try {
            Path classpaths = project.resolve("target/cluster");
            if (!Files.isRegularFile(classpaths.resolve("flink.classpath"))) {
                throw new IllegalStateException(classpaths + "/flink.classpath is missing: run mvn package first");
            }
            LocalFlinkCluster cluster = new LocalFlinkCluster(
                    dir,
                    Files.readString(classpaths.resolve("flink.classpath")).trim(),
                    // lib/ as docker/ lays it out: DJL, and the store that keeps models loaded across jobs.
                    Files.readString(classpaths.resolve("djl.classpath")).trim() + ":"
                            + project.resolve("target/torchstream-lib.jar").toAbsolutePath(),
                    freePort());
            cluster.writeConfiguration(slotsPerTaskManager, settings);
            try {
                cluster.startJobManager();
            } catch (RuntimeException | IOException e) {
                cluster.close();
                throw e;
            }
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeConfiguration(int slots, Map<String, String> settings) throws IOException {
        Files.createDirectories(conf);
        Files.createDirectories(dir.resolve("log"));
        Map<String, String> c = new LinkedHashMap<>();
        c.put("jobmanager.rpc.address", "127.0.0.1");
        c.put("jobmanager.rpc.port", String.valueOf(freePort()));
        c.put("jobmanager.bind-host", "127.0.0.1");
        c.put("jobmanager.memory.process.size", "1024m");
        c.put("rest.address", "127.0.0.1");
        c.put("rest.bind-address", "127.0.0.1");
        c.put("rest.port", String.valueOf(restPort));
        c.put("taskmanager.host", "127.0.0.1");
        c.put("taskmanager.bind-host", "127.0.0.1");
        c.put("taskmanager.rpc.port", "0");
        c.put("taskmanager.data.port", "0");
        c.put("blob.server.port", "0");
        c.put("taskmanager.numberOfTaskSlots", String.valueOf(slots));
        // The model (~90 MB) and libtorch live outside the JVM heap: leave them room in the process.
        c.put("taskmanager.memory.process.size", "2048m");
        c.put("taskmanager.memory.managed.fraction", "0.05");
        c.put("taskmanager.memory.jvm-overhead.min", "512m");
        // DJL sits in lib/; jobs whose jar carries it too must still take it from there.
        c.put("classloader.parent-first-patterns.additional", "ai.djl.;com.sun.jna.");
        c.put("execution.checkpointing.dir", dir.resolve("checkpoints").toUri().toString());
        c.put(
                "execution.checkpointing.savepoint-dir",
                dir.resolve("savepoints").toUri().toString());
        c.put("restart-strategy.type", "fixed-delay");
        c.put("restart-strategy.fixed-delay.attempts", "2147483647");
        c.put("restart-strategy.fixed-delay.delay", "1s");
        c.put("heartbeat.interval", "1000");
        c.put("heartbeat.timeout", "8000");
        c.put("slot.request.timeout", "120000");
        c.putAll(settings);
        StringBuilder yaml = new StringBuilder("# Written by LocalFlinkCluster\n");
        c.forEach((k, v) -> yaml.append(k).append(": ").append(yamlValue(v)).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml.toString());
        Files.writeString(
                conf.resolve("log4j.properties"),
                String.join(
                        "\n",
                        "rootLogger.level = INFO",
                        "rootLogger.appenderRef.file.ref = file",
                        "logger.kafka.name = org.apache.kafka",
                        "logger.kafka.level = WARN",
                        "appender.file.type = File",
                        "appender.file.name = file",
                        "appender.file.fileName = ${sys:log.file}",
                        "appender.file.layout.type = PatternLayout",
                        "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %-60c %x - %m%n",
                        ""));
    }

    private static String yamlValue(String v) {
        return v.matches("[A-Za-z0-9_./:;+-]*") && !v.isEmpty() ? v : "'" + v.replace("'", "''") + "'";
    }

    private void startJobManager() throws IOException {
        List<String> params = resourceParams("GET_JM_RESOURCE_PARAMS");
        String name = "jobmanager" + (++jobManagerCount == 1 ? "" : "-" + jobManagerCount);
        List<String> command = javaCommand(flinkClasspath, params.get(0), name);
        command.add("org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint");
        command.addAll(List.of("--configDir", conf.toString()));
        command.addAll(splitArgs(params.get(1)));
        Node node = launch(name, command);
        jobManager = node;
        // Under high availability the REST API answers 503 until this JobManager leads.
        waitFor(Duration.ofSeconds(90), "the JobManager's REST API", () -> get("/overview") != null || !node.isAlive());
        if (!node.isAlive()) {
            throw new IllegalStateException(name + " exited; see " + node.log());
        }
    }

    /**
     * Starts a JobManager again, on the same ports, after the last one was killed; returns once it leads
     * (with high availability it recovers the jobs the killed one ran).
     */
    public Node restartJobManager() {
        if (jobManager.isAlive()) {
            throw new IllegalStateException(jobManager.name() + " still runs: kill it first");
        }
        try {
            startJobManager();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jobManager;
    }

    /** Starts a TaskManager (DJL on its classpath) and waits until it has registered. */
    public Node startTaskManager() {
        return startTaskManager(true);
    }

    /**
     * Starts a TaskManager; without DJL on its classpath, jobs load DJL from their own jar (the layout
     * that makes a second job fail).
     */
    public Node startTaskManager(boolean djlInLib) {
        try {
            Set<String> before = taskManagerIds();
            List<String> params = resourceParams("GET_TM_RESOURCE_PARAMS");
            String name = "taskmanager-" + (++taskManagerCount);
            List<String> command =
                    javaCommand(djlInLib ? flinkClasspath + ":" + djlClasspath : flinkClasspath, params.get(0), name);
            command.add(1, "-XX:NativeMemoryTracking=summary");
            command.add("org.apache.flink.runtime.taskexecutor.TaskManagerRunner");
            command.addAll(List.of("--configDir", conf.toString()));
            command.addAll(splitArgs(params.get(1)));
            Node node = launch(name, command);
            try {
                // A new id, not a count: a killed TaskManager may drop out meanwhile.
                waitFor(
                        Duration.ofSeconds(90),
                        name + " to register",
                        () -> !before.containsAll(taskManagerIds()) || !node.isAlive());
            } catch (IllegalStateException e) {
                node.stop();
                throw e;
            }
            if (!node.isAlive()) {
                throw new IllegalStateException(name + " exited; see " + node.log());
            }
            return node;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** TaskManagers the JobManager knows, alive or not yet timed out. */
    public int registeredTaskManagers() {
        return taskManagerIds().size();
    }

    private Set<String> taskManagerIds() {
        Set<String> ids = new HashSet<>();
        JsonNode tms = get("/taskmanagers");
        if (tms != null) {
            tms.path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
        }
        return ids;
    }

    /** {@code flink run [-d] JAR ARGS}, as the flink script runs it; returns the exit code and output. */
    public Submission submit(boolean detached, Path jar, String... args) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.add(BuildFacts.java17Args());
        command.addAll(List.of(
                "-Xmx512m",
                "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(),
                // The flink script puts lib/ on the client's classpath too: DJL is there.
                "-Dlog.file=" + dir.resolve("log/client.log"),
                "-Doffline=true",
                "-cp",
                flinkClasspath + ":" + djlClasspath,
                "org.apache.flink.client.cli.CliFrontend",
                "run"));
        if (detached) {
            command.add("-d");
        }
        command.addAll(
                List.of("-m", "127.0.0.1:" + restPort, jar.toAbsolutePath().toString()));
        command.addAll(Arrays.asList(args));
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().put("FLINK_CONF_DIR", conf.toString());
            builder.environment().put("OPT_OUT_TRACKING", "true");
            Process p = builder.start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            Matcher m = JOB_ID.matcher(output);
            return new Submission(exit, m.find() ? m.group(1) : null, output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Jobs the cluster has seen, whatever their state. */
    public int jobCount() {
        JsonNode jobs = get("/jobs/overview");
        return jobs == null ? -1 : jobs.path("jobs").size();
    }

    /** RUNNING, FINISHED, FAILED, CANCELED... or null when the JobManager does not answer. */
    public String jobState(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        return job == null ? null : job.path("state").asText(null);
    }

    /**
     * Whether the job runs with every subtask of every vertex RUNNING (a vertex's own status reads
     * RUNNING as soon as one of its subtasks does).
     */
    public boolean allTasksRunning(String jobId) {
        JsonNode job = get("/jobs/" + jobId);
        if (job == null || !"RUNNING".equals(job.path("state").asText())) {
            return false;
        }
        for (JsonNode vertex : job.path("vertices")) {
            if (vertex.path("tasks").path("RUNNING").asInt(-1)
                    != vertex.path("parallelism").asInt(-2)) {
                return false;
            }
        }
        return true;
    }

    /** The id of the job's latest completed checkpoint, or -1 when none has completed (or the JobManager is away). */
    public long latestCompletedCheckpoint(String jobId) {
        JsonNode checkpoints = get("/jobs/" + jobId + "/checkpoints");
        if (checkpoints == null) {
            return -1;
        }
        JsonNode completed = checkpoints.path("latest").path("completed");
        return completed.isObject() ? completed.path("id").asLong(-1) : -1;
    }

    /** The id of the checkpoint the job last restored, or -1 when it has restored none. */
    public long restoredCheckpoint(String jobId) {
        JsonNode checkpoints = get("/jobs/" + jobId + "/checkpoints");
        if (checkpoints == null) {
            return -1;
        }
        JsonNode restored = checkpoints.path("latest").path("restored");
        return restored.isObject() ? restored.path("id").asLong(-1) : -1;
    }

    /** The root exception of a failed or restarting job, for messages. */
    public String rootException(String jobId) {
        JsonNode ex = get("/jobs/" + jobId + "/exceptions");
        return ex == null ? "" : ex.path("root-exception").asText("");
    }

    public void cancel(String jobId) {
        send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }

    /** Waits until the job is in one of {@code states}; returns the state it reached. */
    public String awaitState(String jobId, Duration timeout, String... states) {
        List<String> wanted = List.of(states);
        String[] state = {null};
        waitFor(timeout, "job " + jobId + " to reach " + wanted, () -> wanted.contains(state[0] = jobState(jobId)));
        return state[0];
    }

    public Node jobManager() {
        return jobManager;
    }

    public List<Node> nodes() {
        return List.copyOf(nodes);
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            nodes.get(i).stop();
        }
    }

    private List<String> javaCommand(String classpath, String jvmParams, String name) {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(splitArgs(jvmParams));
        command.add(BuildFacts.java17Args());
        command.addAll(List.of(
                "-XX:+UseSerialGC",
                "-Dai.djl.offline=true",
                "-Doffline=true",
                "-Dlog.file=" + dir.resolve("log/" + name + ".log"),
                "-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri(),
                "-cp",
                classpath));
        return command;
    }

    private Node launch(String name, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("log/" + name + ".out").toFile());
        builder.environment().put("FLINK_CONF_DIR", conf.toString());
        builder.environment().put("OPT_OUT_TRACKING", "true");
        builder.environment().remove("PYTORCH_VERSION");
        builder.environment().remove("PYTORCH_FLAVOR");
        Process process = builder.start();
        STARTED.add(process);
        Node node = new Node(name, process, dir.resolve("log/" + name + ".log"));
        nodes.add(node);
        return node;
    }

    /** The JVM parameters and dynamic configuration Flink's scripts compute for a process (BashJavaUtils). */
    private List<String> resourceParams(String command) throws IOException {
        Process p = new ProcessBuilder(
                        java(),
                        "-cp",
                        flinkClasspath,
                        "org.apache.flink.runtime.util.bash.BashJavaUtils",
                        command,
                        "--configDir",
                        conf.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> results = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (line.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:")) {
                results.add(
                        line.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length()).trim());
            }
        }
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils " + command + " gave no parameters:\n" + out);
        }
        return results;
    }

    private static List<String> splitArgs(String args) {
        List<String> out = new ArrayList<>();
        for (String a : args.trim().split("\\s+")) {
            if (!a.isEmpty()) {
                out.add(a);
            }
        }
        return out;
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri(path))
                            .timeout(Duration.ofSeconds(10))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 ? MAPPER.readTree(r.body()) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private void send(HttpRequest.Builder request) {
        try {
            http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + restPort + path);
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Polls {@code condition} until it holds, or fails after {@code timeout} naming {@code what}. */
    public static void waitFor(Duration timeout, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
