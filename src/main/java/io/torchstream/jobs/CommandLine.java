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
 *
 * <p>With {@code --output FILE} and no {@code --dead-letters}, a job file whose dead letters go to Kafka
 * writes them to {@code FILE}'s sibling {@code NAME.dead-letters.jsonl} instead: results in a file and
 * dead letters waiting forever on a broker that a file run does not have would be neither here nor there.
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
        String output = null;
        boolean deadLettersSet = false;
        for (int i = 0; i < rest.size(); i++) {
            String flag = rest.get(i);
            if (i + 1 >= rest.size()) {
                throw new JobSpecException(flag + " needs a value; usage: " + USAGE);
            }
            String value = rest.get(++i);
            if (flag.equals("--output")) {
                output = value;
            }
            if (flag.equals("--dead-letters") || (flag.equals("--set") && value.startsWith("dead-letters."))) {
                deadLettersSet = true;
            }
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
        if (output != null
                && !deadLettersSet
                && "kafka".equals(spec.values().get(JobOptions.DEAD_LETTERS_TYPE.key()))) {
            spec = spec.with(JobOptions.DEAD_LETTERS_TYPE.key(), "file")
                    .with(JobOptions.DEAD_LETTERS_PATH.key(), deadLettersBeside(output));
        }
        return new CommandLine(JobConfig.from(spec));
    }

    /** {@code out/entities.jsonl} gives {@code out/entities.dead-letters.jsonl}. */
    static String deadLettersBeside(String output) {
        Path path = Path.of(output);
        String name = path.getFileName().toString();
        String stem = name.endsWith(".jsonl") ? name.substring(0, name.length() - ".jsonl".length()) : name;
        Path beside = path.resolveSibling(stem + ".dead-letters.jsonl");
        return beside.toString();
    }
}
