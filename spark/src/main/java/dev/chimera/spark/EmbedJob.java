package dev.chimera.spark;

import dev.chimera.genomics.Embedder;
import dev.chimera.genomics.cli.PoolingOption;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code embed}: {@code dna embed} over the partitions of the inputs. */
@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "One vector per record, as 'chimera dna embed' computes it with the same --pooling (mean, centred, last "
                    + "or echo; default " + PoolingOption.DEFAULT_LABEL + "; 'chimera dna embed --help' says what "
                    + "each is), in Spark tasks: records are cut into partitions of about equal work, each written "
                    + "by one task to OUT/part-NNNNN.parquet. The centre of centred pooling is computed once, on the "
                    + "driver, after the input check, and sent to every task.",
            "Columns: id (string), embedding (array of dModel float); rows in input order within a part, parts in "
                    + "input order. Each part's footer names the pooling ('pooling') and, for centred, holds the "
                    + "centre ('centre', comma-separated), as dna embed's Arrow metadata does.",
            "A part is written under a temporary name and renamed into place whole; OUT/_SUCCESS marks the end. "
                    + "A failed task is retried by Spark (spark.task.maxFailures); after a lost driver, --resume "
                    + "computes only the parts that are missing."})
final class EmbedJob extends JobCommand {
    @Mixin
    PoolingOption poolingOption;

    EmbedJob(Supplier<SparkSession> session) {
        super(session);
    }

    @Override
    TaskSettings.Kind kind() {
        return TaskSettings.Kind.EMBED;
    }

    @Override
    Embedder.Pooling pooling(CommandLine cl) {
        return poolingOption.chosen(cl);
    }
}
