package io.torchstream.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import ai.djl.Model;

import java.net.URL;
import java.net.URLClassLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The JVM's store of loaded models, as Flink's classloaders meet it: a job's child-first classloader with its
 * own copy of torchstream uses the store of the TaskManager's classloader when DJL comes from there too, so a
 * job submitted again finds the models of the one before; with DJL inside the job, it keeps its own.
 */
class NativeModelsTest {

    /** A loaded part that counts its closes. */
    static final class Part implements AutoCloseable {
        final AtomicInteger closes = new AtomicInteger();

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    /** Flink's user-code classloader in miniature: the given packages from its own jars first. */
    static final class ChildFirst extends URLClassLoader {
        private final List<String> own;

        ChildFirst(List<URL> jars, List<String> own) {
            super(jars.toArray(URL[]::new), NativeModelsTest.class.getClassLoader());
            this.own = own;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && own.stream().anyMatch(name::startsWith)) {
                    try {
                        c = findClass(name);
                    } catch (ClassNotFoundException e) {
                        // not in this job's jars: the parent's
                    }
                }
                return c != null ? c : super.loadClass(name, resolve);
            }
        }
    }

    private static URL jarOf(Class<?> type) {
        return type.getProtectionDomain().getCodeSource().getLocation();
    }

    private static String key() {
        return "test " + UUID.randomUUID();
    }

    @SuppressWarnings("unchecked")
    private static List<? extends AutoCloseable> acquireIn(Class<?> copy, String key, Supplier<List<Part>> load)
            throws ReflectiveOperationException {
        return (List<? extends AutoCloseable>)
                copy.getMethod("acquire", String.class, Supplier.class).invoke(null, key, load);
    }

    @Test
    void aJobClassloaderUsesTheTaskManagersStoreWhenDjlComesFromThere() throws Exception {
        assertThat(NativeModels.class.getClassLoader())
                .as("the tests run on the system classloader, as a TaskManager's lib/ does")
                .isSameAs(ClassLoader.getSystemClassLoader());
        Part part = new Part();
        String key = key();
        long loads = NativeModels.loads();
        try (ChildFirst job = new ChildFirst(List.of(jarOf(NativeModels.class)), List.of("io.torchstream."))) {
            Class<?> copy = job.loadClass(NativeModels.class.getName());
            assertThat(copy).isNotSameAs(NativeModels.class);
            assertThat(copy.getMethod("sharedAcrossJobs").invoke(null)).isEqualTo(true);

            List<? extends AutoCloseable> first = acquireIn(copy, key, () -> List.of(part));
            copy.getMethod("release", String.class, long.class).invoke(null, key, 60_000L);
            assertThat(part.closes).as("kept for the keep-alive").hasValue(0);

            // The next job (here: the TaskManager's own copy) gets the same parts without loading them.
            List<? extends AutoCloseable> again = NativeModels.acquire(key, () -> {
                throw new AssertionError("loaded twice");
            });
            assertThat(again.get(0)).isSameAs(first.get(0)).isSameAs(part);
            assertThat(NativeModels.loads() - loads).isEqualTo(1);
        }
        NativeModels.release(key, 0);
        assertThat(part.closes).as("closed once, when its last user let go").hasValue(1);
    }

    @Test
    void aJobThatCarriesDjlKeepsItsOwnStore() throws Exception {
        String key = key();
        Part theirs = new Part();
        Part ours = new Part();
        try (ChildFirst job = new ChildFirst(
                List.of(jarOf(NativeModels.class), jarOf(Model.class)), List.of("io.torchstream.", "ai.djl."))) {
            Class<?> copy = job.loadClass(NativeModels.class.getName());
            assertThat(copy.getMethod("sharedAcrossJobs").invoke(null)).isEqualTo(false);
            acquireIn(copy, key, () -> List.of(theirs));
            // Its DJL objects die with its classloader: nobody else may be handed them.
            assertThat(NativeModels.acquire(key, () -> List.of(ours)).get(0)).isSameAs(ours);
            copy.getMethod("release", String.class, long.class).invoke(null, key, 0L);
        }
        NativeModels.release(key, 0);
        assertThat(theirs.closes).hasValue(1);
        assertThat(ours.closes).hasValue(1);
    }

    @Test
    void anUnusedModelClosesWhenItsKeepAliveEndsUnlessAUserCameBack() throws Exception {
        String key = key();
        Part part = new Part();
        NativeModels.acquire(key, () -> List.of(part));
        NativeModels.release(key, 300);
        NativeModels.acquire(key, () -> {
            throw new AssertionError("it was still kept");
        });
        Thread.sleep(600);
        assertThat(part.closes)
                .as("in use again: the keep-alive's close was called off")
                .hasValue(0);
        NativeModels.release(key, 300);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (part.closes.get() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(part.closes).hasValue(1);
        Part next = new Part();
        assertThat(NativeModels.acquire(key, () -> List.of(next)).get(0)).isSameAs(next);
        NativeModels.release(key, 0);
    }

    @Test
    void aFailedLoadIsNotHandedToTheNextUser() {
        String key = key();
        assertThatThrownBy(() -> NativeModels.acquire(key, () -> {
                    throw new IllegalStateException("model.pt cannot be loaded");
                }))
                .hasMessage("model.pt cannot be loaded");
        Part part = new Part();
        assertThat(NativeModels.acquire(key, () -> List.of(part)).get(0)).isSameAs(part);
        NativeModels.release(key, 0);
        assertThat(part.closes).hasValue(1);
    }

    @Test
    void usersOfOneKeyWaitForItsOneLoad() throws Exception {
        String key = key();
        AtomicInteger loads = new AtomicInteger();
        List<Thread> users = new ArrayList<>();
        List<Object> got = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 4; i++) {
            Thread t = new Thread(() -> got.add(NativeModels.acquire(key, () -> {
                        loads.incrementAndGet();
                        try {
                            Thread.sleep(200);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return List.of(new Part());
                    })
                    .get(0)));
            users.add(t);
            t.start();
        }
        for (Thread t : users) {
            t.join();
        }
        assertThat(loads).hasValue(1);
        assertThat(got).hasSize(4).allMatch(p -> p == got.get(0));
        for (int i = 0; i < 4; i++) {
            NativeModels.release(key, 0);
        }
        assertThat(((Part) got.get(0)).closes).hasValue(1);
    }
}
