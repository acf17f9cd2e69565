package io.torchstream.internal.session;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.ModelBundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A folder of numbered bundle versions ({@code topics/1/}, {@code topics/2/}, ...), as Triton lays out
 * its model repository. The version served is the highest one that is whole: its bundle.json present and
 * every file matching the size and sha256 it records. A version that is not (being copied, or broken) is
 * skipped, and checked again only once its files change, so that a poll does not hash a broken 90 MB
 * model every time. Not thread-safe: one poller owns it.
 */
public final class ModelRepository {

    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

    private final Path folder;
    // Why a version was skipped, and what its files looked like then.
    private final Map<Long, Skipped> skipped = new HashMap<>();
    private final List<Skipped> newlySkipped = new ArrayList<>();
    private List<Long> lastListing = List.of();

    /** A version that could not be served. */
    public record Skipped(long version, String reason, String fingerprint) {}

    /** A whole version, checked. */
    public record Version(long number, ModelBundle bundle) {}

    public ModelRepository(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
    }

    public Path folder() {
        return folder;
    }

    /**
     * Whether {@code folder} is a repository rather than one bundle: a folder without bundle.json that holds
     * at least one numbered folder.
     */
    public static boolean isRepository(Path folder) {
        if (!Files.isDirectory(folder) || Files.exists(folder.resolve(ModelBundle.MANIFEST_FILE))) {
            return false;
        }
        try {
            return !numbered(folder).isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The whole version to serve at start: {@code preferred} when it is whole (the version a checkpoint
     * recorded), else the highest.
     *
     * @throws BundleException naming the folder, when it holds no whole version
     */
    public Version start(long preferred) {
        if (preferred > 0) {
            Path candidate = folder.resolve(Long.toString(preferred));
            if (Files.isDirectory(candidate)) {
                Optional<Version> version = check(preferred, candidate);
                if (version.isPresent()) {
                    return version.get();
                }
            }
        }
        List<Long> versions;
        try {
            versions = list();
        } catch (IOException e) {
            throw new BundleException(folder, "cannot be listed (" + e.getMessage() + ")", e);
        }
        Optional<Version> newest = newestAbove(0, versions);
        if (newest.isPresent()) {
            return newest.get();
        }
        StringBuilder why = new StringBuilder(
                "holds no whole model version: a repository holds numbered bundle folders (1/, 2/, ...), each written by"
                        + " bin/torchstream export");
        if (!skipped.isEmpty()) {
            why.append("; skipped:");
            skipped.values().stream()
                    .sorted(Comparator.comparingLong(Skipped::version))
                    .forEach(s -> why.append(' ')
                            .append(s.version())
                            .append(": ")
                            .append(s.reason())
                            .append(';'));
            why.setLength(why.length() - 1);
        }
        throw new BundleException(folder, why.toString());
    }

    /**
     * The highest whole version above {@code current}, if any. A version seen broken before is checked again
     * only if its files changed since.
     *
     * @throws UncheckedIOException when the folder cannot be listed (deleted, or its store unreachable)
     */
    public Optional<Version> newestAbove(long current) {
        try {
            return newestAbove(current, list());
        } catch (IOException e) {
            throw new UncheckedIOException(
                    folder + " cannot be listed (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
    }

    private Optional<Version> newestAbove(long current, List<Long> versions) {
        for (long number : versions) {
            if (number <= current) {
                break;
            }
            Optional<Version> version = check(number, folder.resolve(Long.toString(number)));
            if (version.isPresent()) {
                return version;
            }
        }
        return Optional.empty();
    }

    private Optional<Version> check(long number, Path dir) {
        String fingerprint = fingerprint(dir);
        Skipped before = skipped.get(number);
        if (before != null && before.fingerprint().equals(fingerprint)) {
            return Optional.empty();
        }
        try {
            Version version = new Version(number, ModelBundle.open(dir));
            skipped.remove(number);
            return Optional.of(version);
        } catch (BundleException | UncheckedIOException e) {
            Skipped skip = new Skipped(number, e.getMessage(), fingerprint);
            skipped.put(number, skip);
            newlySkipped.add(skip);
            return Optional.empty();
        }
    }

    /** Marks a whole version as not to be served (another task, other labels): skipped until its files change. */
    public void refuse(long number, String reason) {
        skipped.put(number, new Skipped(number, reason, fingerprint(folder.resolve(Long.toString(number)))));
    }

    /** The versions skipped since the last call, in the order they were checked. */
    public List<Skipped> newlySkipped() {
        List<Skipped> out = List.copyOf(newlySkipped);
        newlySkipped.clear();
        return out;
    }

    /** The version numbers the last listing found, highest first. */
    public List<Long> lastListing() {
        return lastListing;
    }

    /** The skip of {@code version}, if it was skipped and its files have not changed since. */
    public Optional<Skipped> skipped(long version) {
        return Optional.ofNullable(skipped.get(version));
    }

    private List<Long> list() throws IOException {
        lastListing = List.copyOf(numbered(folder));
        return lastListing;
    }

    /** The numbered folders, highest first. */
    private static List<Long> numbered(Path folder) throws IOException {
        List<Long> versions = new ArrayList<>();
        try (Stream<Path> children = Files.list(folder)) {
            children.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .filter(name -> VERSION.matcher(name).matches())
                    .forEach(name -> versions.add(Long.parseLong(name)));
        }
        versions.sort(Comparator.reverseOrder());
        return versions;
    }

    /** The names, sizes and modification times of a version's files: what a copy in progress changes. */
    private static String fingerprint(Path dir) {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(dir)) {
            files.filter(Files::isRegularFile).sorted().forEach(f -> {
                try {
                    out.append(dir.relativize(f))
                            .append(':')
                            .append(Files.size(f))
                            .append(':')
                            .append(Files.getLastModifiedTime(f).toMillis())
                            .append(';');
                } catch (IOException e) {
                    out.append(f.getFileName()).append(":?;");
                }
            });
        } catch (IOException | UncheckedIOException e) {
            out.append("unreadable");
        }
        return out.toString();
    }
}
