package io.torchstream.bench;

import java.util.Arrays;

/** {@code bin/torchstream bench|soak|sql-bench|pii-bench|pii-eval|reload-bench}: the measurement commands, which live with the tests. */
public final class BenchCli {

    private BenchCli() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: torchstream bench|soak|sql-bench|pii-bench|pii-eval|reload-bench [ARGS]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "bench" -> Benchmark.main(rest);
            case "soak" -> Soak.main(rest);
            case "sql-bench" -> SqlBenchmark.main(rest);
            case "pii-bench" -> PiiBenchmark.main(rest);
            case "pii-eval" -> PiiEvaluation.main(rest);
            case "reload-bench" -> ReloadBenchmark.main(rest);
            default -> {
                System.err.println("torchstream: unknown command " + args[0]);
                System.exit(2);
            }
        }
    }
}
