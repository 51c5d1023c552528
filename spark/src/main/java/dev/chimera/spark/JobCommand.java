package dev.chimera.spark;

import dev.chimera.core.JsonLine;
import dev.chimera.genomics.Embedder;
import dev.chimera.runtime.BatchProgress;
import dev.chimera.runtime.InferenceSpan;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;

/** What the score and embed jobs share: run the job, then print its summary as text or JSON. */
abstract class JobCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    JobOptions options;

    private final Supplier<SparkSession> session;

    JobCommand(Supplier<SparkSession> session) {
        this.session = session;
    }

    abstract TaskSettings.Kind kind();

    /** The embed job's pooling, as {@code dna embed} chooses it; null for score. */
    abstract Embedder.Pooling pooling(CommandLine cl);

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        options.validate(cl);
        Embedder.Pooling pooling = pooling(cl);
        JobRun run = JobRun.prepare(session, options, kind(), pooling, cl.getErr());
        JobRun.Summary s = run.execute();
        print(cl.getOut(), s, pooling);
        return 0;
    }

    private void print(PrintWriter w, JobRun.Summary s, Embedder.Pooling pooling) {
        PartTotals t = s.totals();
        boolean score = kind() == TaskSettings.Kind.SCORE;
        double rate = s.seconds() > 0 ? s.computedUnits() / s.seconds() : Double.NaN;
        String spans = InferenceSpan.describe(s.config());
        if (options.json.enabled()) {
            JsonLine o = new JsonLine().put("op", "dna-spark-" + kind().command).put("records", t.records)
                    .put("bases", t.bases);
            if (score) {
                o.put("scored_bases", t.scoredBases).put("log_likelihood", t.logLikelihood, 6)
                        .put("bits_per_base", t.bitsPerBase(), 6);
            } else {
                o.put("pooling", pooling.label());
            }
            o.put("partitions", s.partitions()).put("computed_partitions", s.computedPartitions())
                    .put(score ? "computed_bases" : "computed_positions", s.computedUnits())
                    .put("seconds", s.seconds(), 3).put(score ? "bases_per_s" : "positions_per_s", rate, 1)
                    .put("spans", spans).put("out", s.out().toString());
            w.println(o);
        } else {
            if (score) {
                w.printf(Locale.ROOT, "records       %,d (%,d bases, %,d scored)%n", t.records, t.bases, t.scoredBases);
                w.printf(Locale.ROOT, "bits/base     %.4f over all records%n", t.bitsPerBase());
            } else {
                w.printf(Locale.ROOT, "records       %,d (%,d bases), %s pooling%n", t.records, t.bases,
                        pooling.label());
            }
            w.printf(Locale.ROOT, "partitions    %d (%d computed by this run)%n", s.partitions(), s.computedPartitions());
            w.printf(Locale.ROOT, "spans         %s%n", spans);
            w.printf(Locale.ROOT, "time          %s, %,.0f %s/s%n", BatchProgress.duration(s.seconds()), rate,
                    score ? "bases" : "positions");
            w.printf("wrote         %s%n", s.out());
        }
        w.flush();
    }
}
