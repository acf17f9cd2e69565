package io.torchstream.cli;

import io.torchstream.internal.bundle.BundleException;
import io.torchstream.jobs.CommandLine;
import io.torchstream.jobs.Evaluation;
import io.torchstream.jobs.JobConfig;
import io.torchstream.jobs.JobSpecException;
import io.torchstream.jobs.JobSummary;
import io.torchstream.jobs.TorchstreamJob;
import io.torchstream.sql.SqlRunner;

import java.nio.file.Path;
import java.util.Arrays;

/** {@code bin/torchstream run|eval|sql}: the Java commands of the launcher. */
public final class TorchstreamCli {

    private TorchstreamCli() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: torchstream run " + CommandLine.USAGE
                    + "\n       torchstream eval JOB.yaml LABELLED.jsonl");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "eval" -> {
                    if (rest.length < 2) {
                        System.err.println("usage: torchstream eval JOB.yaml LABELLED.jsonl [--set KEY=VALUE]...");
                        System.exit(2);
                    }
                    String[] jobArgs = new String[rest.length - 1];
                    jobArgs[0] = rest[0];
                    System.arraycopy(rest, 2, jobArgs, 1, rest.length - 2);
                    Evaluation evaluation =
                            Evaluation.run(CommandLine.parse(jobArgs).config(), Path.of(rest[1]));
                    System.out.print(evaluation.report());
                }
                case "sql" -> SqlRunner.main(rest);
                case "run" -> {
                    JobConfig config = CommandLine.parse(rest).config();
                    JobSummary summary = TorchstreamJob.execute(config);
                    System.err.println(summary);
                    printFile("results", config.output);
                    printFile("dead letters", config.deadLetters);
                    System.exit(summary.balanced() ? 0 : 1);
                }
                default -> {
                    System.err.println("torchstream: unknown command " + args[0]);
                    System.exit(2);
                }
            }
        } catch (JobSpecException | BundleException e) {
            System.err.println("torchstream: " + e.getMessage());
            System.exit(2);
        }
    }

    private static void printFile(String what, JobConfig.Output output) {
        if (output.kind() == JobConfig.SinkKind.FILE) {
            System.err.println(what + ": " + output.path());
        }
    }
}
