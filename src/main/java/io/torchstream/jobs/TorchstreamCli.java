package io.torchstream.jobs;

import io.torchstream.bundle.BundleException;

import java.util.Arrays;

/** {@code bin/torchstream run|...}: the Java commands of the launcher. */
public final class TorchstreamCli {

    private TorchstreamCli() {}

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: torchstream run " + CommandLine.USAGE);
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        try {
            switch (args[0]) {
                case "run" -> {
                    JobSummary summary = TorchstreamJob.execute(CommandLine.parse(rest).config());
                    System.err.println(summary);
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
}
