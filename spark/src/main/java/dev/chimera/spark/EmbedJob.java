package dev.chimera.spark;

import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code embed}: {@code dna embed} over the partitions of the inputs. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "One vector per record, as 'chimera dna embed' computes it (the mean of the model's last hidden states "
                    + "over the record's bases), in Spark tasks: records are cut into partitions of about equal "
                    + "work, each written by one task to OUT/part-NNNNN.parquet.",
            "Columns: id (string), embedding (array of dModel float); rows in input order within a part, parts in "
                    + "input order.",
            "A part is written under a temporary name and renamed into place whole; OUT/_SUCCESS marks the end. "
                    + "A failed task is retried by Spark (spark.task.maxFailures); after a lost driver, --resume "
                    + "computes only the parts that are missing."})
final class EmbedJob extends JobCommand {
    @Option(names = "--echo", description = "Echo embedding: read the record twice, average the second copy.")
    boolean echo;

    EmbedJob(Supplier<SparkSession> session) {
        super(session);
    }

    @Override
    TaskSettings.Kind kind() {
        return TaskSettings.Kind.EMBED;
    }

    @Override
    boolean echo() {
        return echo;
    }
}
