package io.torchstream.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one measurement in a JVM of its own (libtorch reads its thread count once per process, and each
 * measurement's memory is its own) and reads back the line {@code RESULT {json}} it prints, sampling
 * the process's resident memory meanwhile.
 */
public final class ScenarioProcess {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * What a run gave.
     *
     * @param result the JSON of its RESULT line
     * @param peakRssKb the largest VmRSS seen
     * @param wallSeconds from start to exit
     */
    public record Outcome(JsonNode result, long peakRssKb, double wallSeconds) {}

    private ScenarioProcess() {}

    /** Runs {@code mainClass args} with this JVM's classpath, Flink's --add-opens and logging settings. */
    public static Outcome run(String mainClass, List<String> args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(arg -> arg.startsWith("--add-") || arg.startsWith("-Dlog4j"))
                .toList());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return run(new ProcessBuilder(command), mainClass + " " + String.join(" ", args));
    }

    /** Runs any command that prints a RESULT line (the Python baseline prints bare JSON: its last line). */
    public static Outcome run(ProcessBuilder builder, String what) throws Exception {
        long started = System.nanoTime();
        Process process = builder.redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long[] peakKb = sampleRss(process);
        JsonNode result = null;
        String last = null;
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    result = MAPPER.readTree(line.substring("RESULT ".length()));
                } else if (line.startsWith("{")) {
                    last = line;
                }
            }
        }
        int exit = process.waitFor();
        if (result == null && last != null) {
            result = MAPPER.readTree(last);
        }
        if (exit != 0 || result == null) {
            throw new IllegalStateException(what + " failed with exit code " + exit);
        }
        return new Outcome(result, peakKb[0], (System.nanoTime() - started) / 1e9);
    }

    /** Samples a process's VmRSS every 100 ms until it ends; element 0 holds the peak (kB). */
    private static long[] sampleRss(Process process) {
        long[] peakKb = {0};
        Thread sampler = new Thread(() -> {
            Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
            while (process.isAlive()) {
                peakKb[0] = Math.max(peakKb[0], rssKb(status));
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        sampler.setDaemon(true);
        sampler.start();
        return peakKb;
    }

    private static long rssKb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException gone) {
            // the process ended between two samples
        }
        return 0;
    }
}
