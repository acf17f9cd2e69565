package io.torchstream.jobs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The arguments of {@code run}: a job file, then options that override its keys.
 *
 * <pre>
 * JOB.yaml [--set KEY=VALUE]... [--bundle DIR] [--input FILE] [--output FILE] [--dead-letters FILE]
 *          [--parallelism N]
 * </pre>
 */
public record CommandLine(JobConfig config) {

    public static final String USAGE = "JOB.yaml [--set KEY=VALUE]... [--bundle DIR] [--input FILE] [--output FILE]"
            + " [--dead-letters FILE] [--parallelism N]";

    public static CommandLine parse(String[] args) {
        if (args.length == 0 || args[0].startsWith("--")) {
            throw new JobSpecException("usage: " + USAGE);
        }
        JobSpec spec = JobSpec.load(Path.of(args[0]));
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        for (int i = 0; i < rest.size(); i++) {
            String flag = rest.get(i);
            if (i + 1 >= rest.size()) {
                throw new JobSpecException(flag + " needs a value; usage: " + USAGE);
            }
            String value = rest.get(++i);
            spec = switch (flag) {
                case "--set" -> spec.with(value);
                case "--bundle" -> spec.with("model.bundle", value);
                case "--input" -> spec.with("input.type", "file").with("input.path", value);
                case "--output" -> spec.with("output.type", "file").with("output.path", value);
                case "--dead-letters" -> spec.with("dead-letters.type", "file").with("dead-letters.path", value);
                case "--parallelism" -> spec.with("job.parallelism", value);
                default -> throw new JobSpecException("unknown option " + flag + "; usage: " + USAGE);
            };
        }
        return new CommandLine(JobConfig.from(spec));
    }
}
