package io.torchstream.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real standalone ZooKeeper server ({@code ZooKeeperServerMain}, from the Maven artifact on the test
 * classpath) in its own JVM on 127.0.0.1, for Flink's ZooKeeper high availability. A short tick lets
 * sessions of a killed JobManager expire in seconds rather than a minute.
 */
public final class ZooKeeperServer implements AutoCloseable {

    private static final List<Process> STARTED = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> STARTED.forEach(Process::destroyForcibly)));
    }

    /** Session timeouts the server grants lie between 2 and 20 ticks. */
    public static final int TICK_MILLIS = 500;

    private final Path dir;
    private final int port;
    private final Process process;

    private ZooKeeperServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Writes zoo.cfg into {@code dir} and starts a server; returns once it answers {@code ruok}. */
    public static ZooKeeperServer start(Path dir) {
        try {
            Files.createDirectories(dir.resolve("data"));
            int port;
            try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = socket.getLocalPort();
            }
            Path config = dir.resolve("zoo.cfg");
            Files.writeString(
                    config,
                    String.join(
                            "\n",
                            "tickTime=" + TICK_MILLIS,
                            "dataDir=" + dir.resolve("data"),
                            "clientPort=" + port,
                            "clientPortAddress=127.0.0.1",
                            "maxClientCnxns=0",
                            // No Jetty on the classpath: the admin server stays off; ruok answers readiness.
                            "admin.enableServer=false",
                            "4lw.commands.whitelist=ruok,srvr",
                            ""));
            Path log = dir.resolve("zookeeper.log");
            Process process = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx256m",
                            "-XX:+UseSerialGC",
                            "-Dlog4j2.configurationFile="
                                    + Path.of("src/test/resources/log4j2-kafka.properties")
                                            .toAbsolutePath(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            "org.apache.zookeeper.server.ZooKeeperServerMain",
                            config.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            STARTED.add(process);
            ZooKeeperServer server = new ZooKeeperServer(dir, port, process);
            server.awaitReady(log);
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitReady(Path log) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("ZooKeeper exited with " + process.exitValue() + "; see " + log);
            }
            if ("imok".equals(command("ruok"))) {
                return;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("ZooKeeper did not answer in 60 s; see " + log);
    }

    /** A four-letter command's answer, or null when the server does not answer. */
    public String command(String word) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(word.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
        } catch (IOException notYet) {
            return null;
        }
    }

    /** host:port, as {@code high-availability.zookeeper.quorum} takes it. */
    public String connectString() {
        return "127.0.0.1:" + port;
    }

    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
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
