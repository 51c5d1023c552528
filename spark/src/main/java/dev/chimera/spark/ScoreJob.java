package dev.chimera.spark;

import dev.chimera.genomics.Embedder;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code score}: {@code dna score} over the partitions of the inputs. */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Log-likelihood of each record under a DNA language model, as 'chimera dna score' computes it, in "
                    + "Spark tasks: records are cut into partitions of about equal work, each written by one task to "
                    + "OUT/part-NNNNN.parquet.",
            "Columns (as dna score's Arrow output): id (string), length (int64), log_likelihood (double, nats), "
                    + "bits_per_base (double), scored_bases (int64); rows in input order within a part, parts in "
                    + "input order.",
            "A part is written under a temporary name and renamed into place whole; OUT/_SUCCESS marks the end. "
                    + "A failed task is retried by Spark (spark.task.maxFailures); after a lost driver, --resume "
                    + "computes only the parts that are missing."})
final class ScoreJob extends JobCommand {
    ScoreJob(Supplier<SparkSession> session) {
        super(session);
    }

    @Override
    TaskSettings.Kind kind() {
        return TaskSettings.Kind.SCORE;
    }

    @Override
    Embedder.Pooling pooling(CommandLine cl) {
        return null;
    }
}
