package io.torchstream.internal.session;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.internal.bundle.BundleManifest;
import io.torchstream.internal.bundle.ModelBundle;

import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where bundles live: a local folder, or any filesystem Flink serves ({@code s3://} through its S3 plugin,
 * {@code hdfs://}, ...). A bundle on a remote filesystem is downloaded once per TaskManager into a local cache
 * keyed by the sha256 of its bundle.json (which records every file's sha256), and checked there before use.
 */
public abstract class BundleStore {

    private static final Pattern SCHEME = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*://.*");
    private static final Pattern VERSION = Pattern.compile("[1-9][0-9]{0,17}");

    /** The JVM property naming the folder remote bundles are cached in (default: java.io.tmpdir/torchstream-bundles). */
    public static final String CACHE_PROPERTY = "torchstream.bundle.cache";

    /** Whether {@code location} names a remote filesystem ({@code scheme://}, other than {@code file://}). */
    public static boolean isRemote(String location) {
        return SCHEME.matcher(location).matches() && !location.startsWith("file:");
    }

    /** The store at {@code location}: a local path or {@code file://} URI, or a URI of a Flink filesystem. */
    public static BundleStore of(String location) {
        if (isRemote(location)) {
            return new Remote(URI.create(location.endsWith("/") ? location : location + "/"));
        }
        Path path = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
        return new Local(path.toAbsolutePath().normalize());
    }

    /** The location, for messages. */
    public abstract String describe();

    /** Whether the location is one bundle (bundle.json at its root). */
    public abstract boolean isBundle();

    /** The numbered folders at the root, highest first. */
    public abstract List<Long> versions() throws IOException;

    /** The names, sizes and modification times of the files of version {@code version}: what a copy changes. */
    public abstract String fingerprint(long version);

    /**
     * The bundle of version {@code version} (0: the root), checked: a local folder.
     *
     * @throws BundleException naming the file at fault
     */
    public abstract ModelBundle open(long version);

    /** Whether the location is a repository: not a bundle, and holding at least one numbered folder. */
    public final boolean isRepository() {
        if (isBundle()) {
            return false;
        }
        try {
            return !versions().isEmpty();
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    static boolean isVersion(String name) {
        return VERSION.matcher(name).matches();
    }

    /** A folder on this machine. */
    private static final class Local extends BundleStore {
        private final Path root;

        Local(Path root) {
            this.root = root;
        }

        @Override
        public String describe() {
            return root.toString();
        }

        @Override
        public boolean isBundle() {
            return Files.exists(root.resolve(ModelBundle.MANIFEST_FILE));
        }

        @Override
        public List<Long> versions() throws IOException {
            List<Long> versions = new ArrayList<>();
            try (Stream<Path> children = Files.list(root)) {
                children.filter(Files::isDirectory)
                        .map(p -> p.getFileName().toString())
                        .filter(BundleStore::isVersion)
                        .forEach(name -> versions.add(Long.parseLong(name)));
            }
            versions.sort(Comparator.reverseOrder());
            return versions;
        }

        @Override
        public String fingerprint(long version) {
            Path dir = root.resolve(Long.toString(version));
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

        @Override
        public ModelBundle open(long version) {
            return ModelBundle.open(version == 0 ? root : root.resolve(Long.toString(version)));
        }
    }

    /** A folder on a Flink filesystem, downloaded into the local cache. */
    private static final class Remote extends BundleStore {
        private final URI root;

        Remote(URI root) {
            this.root = root;
        }

        private org.apache.flink.core.fs.Path at(String relative) {
            return new org.apache.flink.core.fs.Path(root.resolve(relative));
        }

        private FileSystem fs() throws IOException {
            return FileSystem.get(root);
        }

        @Override
        public String describe() {
            return root.toString().replaceAll("/$", "");
        }

        @Override
        public boolean isBundle() {
            try {
                return fs().exists(at(ModelBundle.MANIFEST_FILE));
            } catch (IOException e) {
                throw new UncheckedIOException(root + " cannot be read (" + e.getMessage() + ")", e);
            }
        }

        @Override
        public List<Long> versions() throws IOException {
            List<Long> versions = new ArrayList<>();
            FileStatus[] children = fs().listStatus(at(""));
            if (children == null) {
                throw new java.io.FileNotFoundException(root + " does not exist");
            }
            for (FileStatus child : children) {
                String name = child.getPath().getName();
                if (child.isDir() && isVersion(name)) {
                    versions.add(Long.parseLong(name));
                }
            }
            versions.sort(Comparator.reverseOrder());
            return versions;
        }

        @Override
        public String fingerprint(long version) {
            StringBuilder out = new StringBuilder();
            try {
                FileStatus[] files = fs().listStatus(at(version + "/"));
                if (files == null) {
                    return "missing";
                }
                List<FileStatus> sorted = new ArrayList<>(List.of(files));
                sorted.sort(Comparator.comparing(f -> f.getPath().getName()));
                for (FileStatus f : sorted) {
                    out.append(f.getPath().getName())
                            .append(':')
                            .append(f.getLen())
                            .append(':')
                            .append(f.getModificationTime())
                            .append(';');
                }
            } catch (IOException e) {
                out.append("unreadable");
            }
            return out.toString();
        }

        @Override
        public ModelBundle open(long version) {
            String prefix = version == 0 ? "" : version + "/";
            org.apache.flink.core.fs.Path manifestAt = at(prefix + ModelBundle.MANIFEST_FILE);
            Path cache = cacheRoot();
            Path staging = cache.resolve(".download-" + UUID.randomUUID());
            try {
                Files.createDirectories(staging);
                Path manifestFile = staging.resolve(ModelBundle.MANIFEST_FILE);
                try {
                    download(manifestAt, manifestFile);
                } catch (java.io.FileNotFoundException e) {
                    throw new BundleException(
                            manifestAt.toString(),
                            "is missing: this folder is not a model bundle (or is still being copied)",
                            e);
                }
                String key = sha256(manifestFile);
                Path cached = cache.resolve(key);
                if (Files.isDirectory(cached)) {
                    // Downloaded before, by this TaskManager or another job in it: checked again, not fetched again.
                    return ModelBundle.open(cached);
                }
                BundleManifest manifest = BundleManifest.read(manifestFile);
                for (Map.Entry<String, BundleManifest.FileDigest> file :
                        manifest.files().entrySet()) {
                    try {
                        download(at(prefix + file.getKey()), staging.resolve(file.getKey()));
                    } catch (java.io.FileNotFoundException e) {
                        throw new BundleException(
                                at(prefix + file.getKey()).toString(),
                                "is missing from the bundle; copy the whole bundle folder, or re-export it",
                                e);
                    }
                }
                ModelBundle.open(staging);
                try {
                    Files.move(staging, cached, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException | AtomicMoveNotSupportedException e) {
                    // Another task downloaded the same bundle meanwhile.
                    deleteTree(staging);
                }
                return ModelBundle.open(cached);
            } catch (IOException e) {
                throw new BundleException(at(prefix).toString(), "cannot be downloaded (" + e.getMessage() + ")", e);
            } catch (BundleException e) {
                if (e.file() == null) {
                    throw e;
                }
                // Name the remote file, not the staging copy.
                String remote =
                        root.resolve(prefix) + staging.relativize(e.file()).toString();
                String problem = e.getMessage().substring(e.file().toString().length() + 2);
                throw new BundleException(remote, problem, e);
            } finally {
                if (Files.exists(staging)) {
                    deleteTree(staging);
                }
            }
        }

        private void download(org.apache.flink.core.fs.Path from, Path to) throws IOException {
            Files.createDirectories(to.getParent());
            try (InputStream in = fs().open(from)) {
                Files.copy(in, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static Path cacheRoot() {
        String configured = System.getProperty(CACHE_PROPERTY);
        return configured != null
                ? Path.of(configured)
                : Path.of(System.getProperty("java.io.tmpdir"), "torchstream-bundles");
    }

    private static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path f : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(f);
            }
        } catch (IOException | UncheckedIOException e) {
            // A leftover download folder is harmless: it is never read as a bundle.
        }
    }
}
