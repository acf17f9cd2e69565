package io.torchstream.testing;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.plugin.DefaultPluginManager;
import org.apache.flink.core.plugin.DirectoryBasedPluginFinder;
import org.apache.flink.core.plugin.PluginConfig;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real S3-compatible server on loopback (moto's server mode, from the exporter's environment, which
 * {@code bin/torchstream test} names in {@code TORCHSTREAM_PYTHON}), with Flink's S3 filesystem loaded as a
 * plugin (from {@code target/flink-plugins}, as a Flink installation's {@code plugins/}) and pointed at it.
 */
public final class S3Server implements AutoCloseable {

    private final Process process;
    private final int port;

    private S3Server(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static S3Server start() throws IOException, InterruptedException {
        String python = System.getenv("TORCHSTREAM_PYTHON");
        if (python == null || !Files.isExecutable(Path.of(python))) {
            throw new IllegalStateException("the S3 tests start moto's server from the exporter's environment: run them"
                    + " through bin/torchstream test, or set TORCHSTREAM_PYTHON to $(bin/torchstream venv)/bin/python");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Files.createDirectories(Path.of("target"));
        Process process = new ProcessBuilder(
                        python, "-m", "moto.server", "-H", "127.0.0.1", "-p", Integer.toString(port))
                .redirectErrorStream(true)
                .redirectOutput(Path.of("target", "moto-" + port + ".log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IllegalStateException("moto's server did not start; see target/moto-" + port + ".log");
                }
                Thread.sleep(100);
            }
        }
        S3Server server = new S3Server(process, port);
        server.configureFlink();
        return server;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    private void configureFlink() {
        Configuration conf = new Configuration();
        conf.setString("s3.endpoint", endpoint());
        conf.setString("s3.endpoint.region", "us-east-1");
        conf.setString("s3.path.style.access", "true");
        conf.setString("s3.access-key", "test");
        conf.setString("s3.secret-key", "test");
        conf.setString("s3.connection.maximum", "8");
        conf.setString("s3.attempts.maximum", "1");
        conf.setString("s3.retry.limit", "1");
        Path plugins = Path.of("target/flink-plugins").toAbsolutePath();
        if (!Files.isDirectory(plugins.resolve("s3-fs-hadoop"))) {
            throw new IllegalStateException(
                    plugins + "/s3-fs-hadoop is missing: mvn generate-test-resources copies Flink's"
                            + " S3 filesystem plugin there");
        }
        try {
            FileSystem.initialize(
                    conf,
                    new DefaultPluginManager(
                            new DirectoryBasedPluginFinder(plugins).findPlugins(),
                            PluginConfig.fromConfiguration(conf).getAlwaysParentFirstPatterns()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates a bucket. */
    public void bucket(String name) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(endpoint() + "/" + name))
                                .timeout(Duration.ofSeconds(30))
                                .PUT(HttpRequest.BodyPublishers.noBody())
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(
                    "creating bucket " + name + ": HTTP " + response.statusCode() + " " + response.body());
        }
    }

    /** Uploads every file of a local folder under {@code uri} (s3://bucket/prefix), through Flink's filesystem. */
    public static void upload(Path folder, String uri, String... except) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (java.util.Arrays.asList(except).contains(name)) {
                    continue;
                }
                org.apache.flink.core.fs.Path target = new org.apache.flink.core.fs.Path(uri + "/" + name);
                try (var out = target.getFileSystem().create(target, FileSystem.WriteMode.OVERWRITE);
                        InputStream in = Files.newInputStream(file)) {
                    in.transferTo(out);
                }
            }
        }
    }

    /** Deletes an object. */
    public static void delete(String uri) throws IOException {
        org.apache.flink.core.fs.Path target = new org.apache.flink.core.fs.Path(uri);
        target.getFileSystem().delete(target, true);
    }

    /** Stops the server: the store becomes unreachable. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Points Flink's filesystems back at their defaults. */
    public static void resetFlink() {
        FileSystem.initialize(new Configuration(), null);
    }
}
