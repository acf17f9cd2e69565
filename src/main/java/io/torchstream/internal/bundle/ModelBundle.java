package io.torchstream.internal.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * A model bundle folder whose files were checked against bundle.json: {@code bundle.json}, {@code
 * model.pt} (the traced TorchScript module) and {@code tokenizer.json}.
 */
public final class ModelBundle {

    public static final String MANIFEST_FILE = "bundle.json";

    private final Path directory;
    private final BundleManifest manifest;

    private ModelBundle(Path directory, BundleManifest manifest) {
        this.directory = directory;
        this.manifest = manifest;
    }

    /**
     * Opens a bundle folder: reads bundle.json and checks every file's size and sha256.
     *
     * @throws BundleException naming the file at fault and the fix
     */
    public static ModelBundle open(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            throw new BundleException(
                    dir, "is not a folder; point to the folder that bin/torchstream export --out wrote");
        }
        Path manifestFile = dir.resolve(MANIFEST_FILE);
        if (!Files.isRegularFile(manifestFile)) {
            throw new BundleException(
                    manifestFile,
                    "is missing: this folder is not a model bundle; export one with bin/torchstream export");
        }
        BundleManifest manifest = BundleManifest.read(manifestFile);
        for (Map.Entry<String, BundleManifest.FileDigest> entry :
                manifest.files().entrySet()) {
            verify(dir.resolve(entry.getKey()), entry.getValue());
        }
        return new ModelBundle(dir, manifest);
    }

    private static void verify(Path file, BundleManifest.FileDigest expected) {
        if (!Files.isRegularFile(file)) {
            throw new BundleException(
                    file, "is missing from the bundle; copy the whole bundle folder, or re-export it");
        }
        try {
            long size = Files.size(file);
            if (expected.bytes() >= 0 && size != expected.bytes()) {
                throw new BundleException(
                        file,
                        "has " + size + " bytes but bundle.json records " + expected.bytes()
                                + ": the file is truncated or was replaced; copy it again or re-export the bundle");
            }
            String actual = sha256(file);
            if (!actual.equalsIgnoreCase(expected.sha256())) {
                throw new BundleException(
                        file,
                        "does not match its sha256 in bundle.json (expected " + expected.sha256() + ", found " + actual
                                + "): the file was altered; copy it again or re-export the bundle");
            }
        } catch (IOException e) {
            throw new BundleException(file, "cannot be read (" + e.getMessage() + ")", e);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    public Path directory() {
        return directory;
    }

    public BundleManifest manifest() {
        return manifest;
    }

    public Path modelFile() {
        return directory.resolve(BundleManifest.MODEL_FILE);
    }

    public Path tokenizerFile() {
        return directory.resolve(BundleManifest.TOKENIZER_FILE);
    }

    @Override
    public String toString() {
        return manifest.name() + " (" + manifest.task() + ", " + directory + ")";
    }
}
