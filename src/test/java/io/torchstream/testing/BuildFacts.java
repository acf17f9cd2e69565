package io.torchstream.testing;

import java.nio.file.Path;

/** What the build makes and where, as pom.xml names it: one place for the code that launches it. */
public final class BuildFacts {

    /**
     * The JVM flags Flink needs on Java 17 (the list Flink's own scripts pass), as a java argument file:
     * pom.xml, bin/torchstream and the local cluster all pass it as {@code @conf/java17.args}.
     */
    public static final Path JAVA17_ARGS = Path.of("conf/java17.args").toAbsolutePath();

    /** The job without DJL, for TaskManagers that carry DJL in lib/ (as docker/ builds them). */
    public static final Path CLUSTER_JAR = Path.of("target/torchstream-cluster.jar");

    /** The job with DJL inside, for clusters without it. */
    public static final Path JOB_JAR = Path.of("target/torchstream-job.jar");

    private BuildFacts() {}

    /** The java argument that applies {@link #JAVA17_ARGS}. */
    public static String java17Args() {
        return "@" + JAVA17_ARGS;
    }
}
