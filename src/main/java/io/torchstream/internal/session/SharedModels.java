package io.torchstream.task;

import io.torchstream.bundle.ModelBundle;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One loaded model per bundle (and shape policy) per JVM and classloader, shared by the operators that
 * run it (the slots of a TaskManager): reference-counted, and closed when its last user releases it.
 */
public final class SharedModels {

    private static final Map<Key, Entry> MODELS = new HashMap<>();

    private record Key(Path bundle, ShapePolicy shapes) {}

    private SharedModels() {}

    private static final class Entry {
        final TextModel model;
        int users;

        Entry(TextModel model) {
            this.model = model;
        }
    }

    /** A user's hold on a model; closing it releases the hold once. */
    public static final class Lease implements AutoCloseable {
        private final Key key;
        private final TextModel model;
        private final AtomicBoolean released = new AtomicBoolean();

        private Lease(Key key, TextModel model) {
            this.key = key;
            this.model = model;
        }

        public TextModel model() {
            return model;
        }

        @Override
        public void close() {
            if (released.compareAndSet(false, true)) {
                if (key == null) {
                    model.close();
                } else {
                    release(key);
                }
            }
        }
    }

    /** Loads a model for this user alone. */
    public static Lease own(Path bundle, int intraOpThreads, ShapePolicy shapes) {
        return new Lease(null, TextModel.open(ModelBundle.open(bundle), intraOpThreads, shapes));
    }

    /** The TaskManager's model for this bundle, loaded by its first user. */
    public static synchronized Lease share(Path bundle, int intraOpThreads, ShapePolicy shapes) {
        Key key = new Key(bundle.toAbsolutePath().normalize(), shapes);
        Entry entry = MODELS.get(key);
        if (entry == null) {
            entry = new Entry(TextModel.open(ModelBundle.open(key.bundle()), intraOpThreads, shapes));
            MODELS.put(key, entry);
        }
        entry.users++;
        return new Lease(key, entry.model);
    }

    private static synchronized void release(Key key) {
        Entry entry = MODELS.get(key);
        if (entry != null && --entry.users == 0) {
            MODELS.remove(key);
            entry.model.close();
        }
    }

    /** Models currently loaded and shared (for tests and metrics). */
    public static synchronized int loaded() {
        return MODELS.size();
    }
}
