package io.torchstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The packages form layers, and every reference points down them: {@code internal.bundle} → {@code
 * internal.text} → {@code internal.runtime} → {@code internal.task} → {@code internal.pii} → {@code
 * internal.session} → {@code internal.flink} → the public API ({@code io.torchstream}) → {@code jobs} and
 * {@code sql} (which know nothing of each other) → {@code cli}. Benchmarks and the cluster harness are test
 * code, above all. Below {@code internal.flink} no Flink class is used but the typed description of options
 * and the filesystem abstraction (bundles on object storage), and DJL only in the runtime and the tokenizer.
 */
class LayeringTest {

    private static final Map<String, Integer> RANKS = Map.ofEntries(
            Map.entry("io.torchstream.internal.bundle", 0),
            Map.entry("io.torchstream.internal.text", 1),
            Map.entry("io.torchstream.internal.runtime", 2),
            Map.entry("io.torchstream.internal.task", 3),
            Map.entry("io.torchstream.internal.pii", 4),
            Map.entry("io.torchstream.internal.session", 5),
            Map.entry("io.torchstream.internal.flink", 6),
            Map.entry("io.torchstream", 7),
            Map.entry("io.torchstream.jobs", 8),
            Map.entry("io.torchstream.sql", 8),
            Map.entry("io.torchstream.cli", 9));

    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\bio\\.torchstream(?:\\.[a-z]\\w*)*(?=\\.[A-Z]|\\.\\*)");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+)", Pattern.MULTILINE);

    /** Below Flink's layer, Flink only for the typed description of options; DJL only where libtorch and tokenizers are. */
    private static final int FLINK_RANK = RANKS.get("io.torchstream.internal.flink");

    // Options, and Flink's filesystem abstraction, through which bundles are read from object storage.
    private static final List<String> FLINK_BELOW_ITS_LAYER =
            List.of("org.apache.flink.configuration.", "org.apache.flink.core.fs.");
    private static final List<String> DJL_PACKAGES =
            List.of("io.torchstream.internal.runtime", "io.torchstream.internal.text");

    @Test
    void everyReferenceInTheProductPointsDownTheLayers() throws IOException {
        List<String> upward = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            sources = files.filter(p -> p.toString().endsWith(".java")).toList();
        }
        assertThat(sources).hasSizeGreaterThan(50);
        for (Path source : sources) {
            String code = Files.readString(source);
            Matcher pkg = PACKAGE.matcher(code);
            assertThat(pkg.find()).as(source + " declares its package").isTrue();
            Integer rank = RANKS.get(pkg.group(1));
            assertThat(rank)
                    .as(source + " is in a package of the layers (" + pkg.group(1) + ")")
                    .isNotNull();
            Matcher ref = REFERENCE.matcher(code);
            while (ref.find()) {
                String target = ref.group();
                Integer targetRank = RANKS.get(target);
                if (targetRank == null) {
                    upward.add(source + " refers to " + target + ", a package of no layer (test code?)");
                } else if (targetRank > rank || targetRank.equals(rank) && !target.equals(pkg.group(1))) {
                    upward.add(source + " (" + pkg.group(1) + ") refers up or across to " + target);
                }
            }
        }
        assertThat(upward).isEmpty();
    }

    @Test
    void flinkStaysAboveTheSessionAndDjlInTheRuntimeAndTheTokenizer() throws IOException {
        List<String> misplaced = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            for (Path source : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String code = Files.readString(source);
                Matcher pkg = PACKAGE.matcher(code);
                pkg.find();
                int rank = RANKS.get(pkg.group(1));
                Matcher imported = IMPORT.matcher(code);
                while (imported.find()) {
                    String name = imported.group(1);
                    if (rank < FLINK_RANK
                            && name.startsWith("org.apache.flink.")
                            && FLINK_BELOW_ITS_LAYER.stream().noneMatch(name::startsWith)) {
                        misplaced.add(source + " imports " + name + " below Flink's layer");
                    }
                    if (name.startsWith("ai.djl.") && !DJL_PACKAGES.contains(pkg.group(1))) {
                        misplaced.add(source + " imports " + name + " outside the runtime and the tokenizer");
                    }
                }
            }
        }
        assertThat(misplaced).isEmpty();
    }
}
