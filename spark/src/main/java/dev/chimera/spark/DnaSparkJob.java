package dev.chimera.spark;

import dev.chimera.runtime.UserErrorHandler;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code chimera dna score} and {@code dna embed} as an Apache Spark job (submit with
 * {@code spark-submit --class dev.chimera.spark.DnaSparkJob chimera-spark-job.jar score|embed ...};
 * the README's Spark section has the whole recipe). Exit codes as every chimera command: 0, 1 for
 * a failure (a user error in one line), 2 for a usage error.
 */
@Command(name = "dna-spark", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "score|embed",
        description = "dna score and dna embed over many records, as a Spark job writing Parquet.")
public final class DnaSparkJob implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "expected a subcommand: score or embed");
    }

    /** The job's command line; the subcommands ask {@code session} for Spark once their checks have passed. */
    static CommandLine commandLine(Supplier<SparkSession> session) {
        CommandLine cl = new CommandLine(new DnaSparkJob());
        cl.addSubcommand(new ScoreJob(session));
        cl.addSubcommand(new EmbedJob(session));
        return UserErrorHandler.install(cl);
    }

    public static void main(String[] args) {
        SparkSession[] started = {null};
        int code;
        try {
            code = commandLine(() -> started[0] = SparkSession.builder().appName("chimera dna").getOrCreate())
                    .execute(args);
        } finally {
            if (started[0] != null) {
                started[0].stop();
            }
        }
        System.exit(code);
    }
}
