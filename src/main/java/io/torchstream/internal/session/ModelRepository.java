package io.torchstream.internal.session;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.ModelBundle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A folder of numbered bundle versions ({@code topics/1/}, {@code topics/2/}, ...), as Triton lays out
 * its model repository, on this machine or on any filesystem Flink serves ({@link BundleStore}). The version
 * served is the highest one that is whole: its bundle.json present and every file matching the size and
 * sha256 it records. A version that is not (being copied, or broken) is skipped, and checked again only once
 * its files change, so that a poll does not hash (or download) a broken 90 MB model every time. Not
 * thread-safe: one poller owns it.
 */
public final class ModelRepository {

    private final BundleStore store;
    // Why a version was skipped, and what its files looked like then.
    private final Map<Long, Skipped> skipped = new HashMap<>();
    private final List<Skipped> newlySkipped = new ArrayList<>();
    private List<Long> lastListing = List.of();

    /** A version that could not be served. */
    public record Skipped(long version, String reason, String fingerprint) {}

    /** A whole version, checked. */
    public record Version(long number, ModelBundle bundle) {}

    public ModelRepository(BundleStore store) {
        this.store = store;
    }

    public ModelRepository(Path folder) {
        this(BundleStore.of(folder.toString()));
    }

    /** Where the repository is, for messages. */
    public String folder() {
        return store.describe();
    }

    /**
     * Whether {@code folder} is a repository rather than one bundle: a folder without bundle.json that holds
     * at least one numbered folder.
     */
    public static boolean isRepository(Path folder) {
        return BundleStore.of(folder.toString()).isRepository();
    }

    /**
     * The whole version to serve at start: {@code preferred} when it is whole (the version a checkpoint
     * recorded), else the highest.
     *
     * @throws BundleException naming the folder, when it holds no whole version
     */
    public Version start(long preferred) {
        List<Long> versions;
        try {
            versions = list();
        } catch (IOException | UncheckedIOException e) {
            throw new BundleException(store.describe(), "cannot be listed (" + e.getMessage() + ")", e);
        }
        if (preferred > 0 && versions.contains(preferred)) {
            Optional<Version> version = check(preferred);
            if (version.isPresent()) {
                return version.get();
            }
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
        throw new BundleException(store.describe(), why.toString(), null);
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
                    store.describe() + " cannot be listed (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                            + ")",
                    e);
        }
    }

    private Optional<Version> newestAbove(long current, List<Long> versions) {
        for (long number : versions) {
            if (number <= current) {
                break;
            }
            Optional<Version> version = check(number);
            if (version.isPresent()) {
                return version;
            }
        }
        return Optional.empty();
    }

    private Optional<Version> check(long number) {
        String fingerprint = store.fingerprint(number);
        Skipped before = skipped.get(number);
        if (before != null && before.fingerprint().equals(fingerprint)) {
            return Optional.empty();
        }
        try {
            Version version = new Version(number, store.open(number));
            skipped.remove(number);
            return Optional.of(version);
        } catch (BundleException | UncheckedIOException e) {
            Skipped skip = new Skipped(number, e.getMessage(), fingerprint);
            skipped.put(number, skip);
            newlySkipped.add(skip);
            return Optional.empty();
        }
    }

    /** Version {@code number} if it is whole now (checked again only if its files changed since it was not). */
    public Optional<Version> version(long number) {
        return check(number);
    }

    /** Marks a whole version as not to be served (another task, other labels): skipped until its files change. */
    public void refuse(long number, String reason) {
        skipped.put(number, new Skipped(number, reason, store.fingerprint(number)));
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
        lastListing = List.copyOf(store.versions());
        return lastListing;
    }
}
