package dev.chimera.spark;

import dev.chimera.core.model.ModelConfig;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.Embedder;
import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import dev.chimera.genomics.cli.PoolingOption;
import dev.chimera.runtime.InferenceSpan;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.SparkSession;

/**
 * One run of a job on the driver: check the output folder, open the model, plan the slices
 * ({@link Planner}), write or check the manifest ({@link JobOutput}), then run the slices whose
 * parts are not in place yet as one Spark job of one task per slice, and sum the parts' footers.
 */
final class JobRun {
    private final JavaSparkContext spark;
    private final TaskSettings settings;
    private final Planner.Plan plan;
    private final JobOutput output;
    private final Map<String, String> metadata;
    private final ModelConfig config;

    private JobRun(JavaSparkContext spark, TaskSettings settings, Planner.Plan plan, JobOutput output,
                   Map<String, String> metadata, ModelConfig config) {
        this.spark = spark;
        this.settings = settings;
        this.plan = plan;
        this.output = output;
        this.metadata = metadata;
        this.config = config;
    }

    /** What a run did: the totals over every part, and what this run computed of them. */
    record Summary(PartTotals totals, int partitions, int computedPartitions, long computedUnits, double seconds,
                   ModelConfig config, Path out) {
    }

    /**
     * Checks everything that can be checked on the driver and prepares {@code --out}; nothing is
     * computed yet. The session is asked for once the output folder and the model have passed their
     * checks. Notes for the user go to {@code notes}.
     */
    static JobRun prepare(Supplier<SparkSession> session, JobOptions o, TaskSettings.Kind kind,
                          Embedder.Pooling pooling, PrintWriter notes) throws IOException {
        List<String> said = new ArrayList<>();
        Map<String, String> earlier = JobOutput.earlierRun(o.out, o.resume, said);
        said.forEach(notes::println);
        DnaModel model = ModelCache.model(o.model);
        ModelConfig config = ModelCache.inferenceConfig(model, o.span.toString());
        JavaSparkContext spark = JavaSparkContext.fromSparkContext(session.get().sparkContext());
        int threads = o.threads != null ? o.threads : spark.getConf().getInt("spark.task.cpus", 1);
        TaskSettings settings = new TaskSettings(kind, pooling,
                model.directory().toAbsolutePath().normalize().toString(), o.span.toString(), o.maxLength, o.chunk,
                threads, o.device.name(), o.onInvalid, null);
        int partitions = o.partitions != null ? o.partitions
                : earlier != null && earlier.containsKey("partitions") ? Integer.parseInt(earlier.get("partitions"))
                : 4 * spark.defaultParallelism();

        Planner.Plan plan;
        try (ModelCache.Lease lease = ModelCache.borrow(settings)) {
            plan = Planner.plan(o.inputs, o.onInvalid, RecordWork.of(settings, lease.decoder()), partitions);
            if (pooling == Embedder.Pooling.CENTRED) { // once, after the checks, as dna embed computes it
                settings = settings.withCentre(PoolingOption.centre(model, lease.decoder(), o.chunk, notes::println));
            }
            lease.reusable();
        }
        if (plan.invalid() > 0) {
            notes.printf(Locale.ROOT, "%s %,d invalid characters (--on-invalid %s)%n",
                    o.onInvalid == OnInvalid.MASK ? "read as N" : "dropped",
                    plan.invalid(), o.onInvalid.name().toLowerCase(Locale.ROOT));
        }
        Map<String, String> settingsText = settings(settings, model, config, partitions);
        JobOutput output = JobOutput.open(o.out, manifest(settingsText, plan), earlier);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("command", "chimera dna " + kind.command
                + (pooling != null ? " --pooling " + pooling.label() : "") + " (spark)");
        metadata.put("model", settingsText.get("model"));
        metadata.put("spans", settingsText.get("spans"));
        if (settings.centre() != null) {
            metadata.putAll(PoolingOption.centreMetadata(settings.centre(), model));
        }
        return new JobRun(spark, settings, plan, output, metadata, config);
    }

    /** Runs the job's tasks as they are. */
    Summary execute() throws IOException {
        return execute(UnaryOperator.identity());
    }

    /**
     * Runs the slices whose parts are not in place, each task being {@code around} the slice task
     * (tests wrap it to fail an attempt), then marks the folder complete and sums the footers.
     */
    Summary execute(UnaryOperator<Function<Slice, SliceResult>> around) throws IOException {
        Set<Integer> done = output.committed();
        List<Slice> todo = new ArrayList<>();
        for (Slice s : plan.slices()) {
            if (!done.contains(s.index())) {
                todo.add(s);
            }
        }
        long start = System.nanoTime();
        List<SliceResult> results = new ArrayList<>();
        if (!todo.isEmpty()) {
            spark.setJobDescription(String.format(Locale.ROOT, "chimera dna %s: %d of %d partitions",
                    settings.kind().command, todo.size(), plan.slices().size()));
            Function<Slice, SliceResult> task = around.apply(new SliceTask(settings, output.dir().toString(), metadata));
            try {
                results = spark.parallelize(todo, todo.size()).map(task).collect();
            } catch (Exception e) { // SparkException, which Scala throws undeclared
                throw userErrorIn(e);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        output.finish();
        PartTotals totals = new PartTotals();
        for (Slice s : plan.slices()) {
            Path part = JobOutput.part(output.dir(), s.index());
            totals.add(PartTotals.of(PartFile.footer(part), settings.kind(), part));
        }
        long units = results.stream().filter(SliceResult::computed).mapToLong(SliceResult::units).sum();
        int computed = (int) results.stream().filter(SliceResult::computed).count();
        return new Summary(totals, plan.slices().size(), computed, units, seconds, config, output.dir());
    }

    /** The plan: its totals, and the slices it made. */
    Planner.Plan plan() {
        return plan;
    }

    /** The settings that decide the numbers: a resumed run must have the same. */
    private static Map<String, String> settings(TaskSettings s, DnaModel model, ModelConfig config, int partitions) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("format", "chimera-spark-dna 2");
        m.put("command", s.kind().command);
        m.put("model", s.model() + " step " + model.steps());
        m.put("spans", InferenceSpan.describe(config));
        m.put("chunk", Integer.toString(s.chunk()));
        m.put("on_invalid", s.onInvalid().name().toLowerCase(Locale.ROOT));
        if (s.kind() == TaskSettings.Kind.EMBED) {
            m.put("pooling", s.pooling().label());
        }
        if (s.centre() != null) {
            m.put("centre", PoolingOption.centreMetadata(s.centre(), model).get("centre"));
        }
        m.put("partitions", Integer.toString(partitions));
        return m;
    }

    private static Map<String, String> manifest(Map<String, String> settings, Planner.Plan plan) {
        Map<String, String> m = new LinkedHashMap<>(settings);
        for (int i = 0; i < plan.inputs().size(); i++) {
            Planner.Input in = plan.inputs().get(i);
            String key = "input." + (i + 1);
            m.put(key, in.path().toAbsolutePath().normalize().toString());
            m.put(key + ".bytes", Long.toString(in.bytes()));
            m.put(key + ".modified", in.modified());
            m.put(key + ".records", Integer.toString(in.records()));
        }
        for (Slice s : plan.slices()) {
            JobOutput.describe(m, s);
        }
        return m;
    }

    /** A task's user error (a changed input, say) as the one line it is; anything else as Spark reported it. */
    private static RuntimeException userErrorIn(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UserException u) {
                return u;
            }
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
    }
}
