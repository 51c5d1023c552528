package dev.chimera.streaming.flink;

import dev.chimera.core.backend.Backends;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.timeseries.model.TsModel;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.io.compression.InflaterInputStreamFactory;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The stream forecaster as an Apache Flink job (submit with {@code flink run -c
 * dev.chimera.streaming.flink.ForecastJob}; flink/README.md has the whole recipe). Before anything
 * is submitted it checks what it can on this machine, each problem one line: the options, the
 * input's header, the model.
 */
public final class ForecastJob {

    private ForecastJob() {
    }

    public static void main(String[] args) throws Exception {
        JobOptions options = JobOptions.parse(args, new PrintWriter(System.out, true, StandardCharsets.UTF_8));
        if (options == null) {
            return;
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        define(env, options);
        env.execute("chimera forecast " + options.input());
    }

    /** Configures {@code env} for the job and adds its dataflow, from the input file to the sinks. */
    public static void define(StreamExecutionEnvironment env, JobOptions options) {
        ObservationCsv format = header(options.input());
        checkModel(options.settings().modelDir());
        configure(env, options);
        ForecastPipeline.Observations observations = ForecastPipeline.read(env, options.input(), format);
        ForecastPipeline.write(ForecastPipeline.forecast(observations, options.settings()), options.output());
    }

    /**
     * Exactly-once checkpoints at the interval asked for (the file sink commits at each, and a bounded
     * input ends with a last one), the parallelism asked for, and no Kryo: every record type is a
     * Flink POJO or a string, so a type that is not fails when the job is built, not at run time.
     */
    public static void configure(StreamExecutionEnvironment env, JobOptions options) {
        Configuration config = new Configuration();
        config.set(PipelineOptions.GENERIC_TYPES, false);
        env.configure(config);
        env.enableCheckpointing(options.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
        if (options.parallelism() > 0) {
            env.setParallelism(options.parallelism());
        }
    }

    /** The input's format, from its header line. */
    static ObservationCsv header(Path input) {
        String first;
        try (InputStream in = open(input);
             BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            first = lines.readLine();
        } catch (FileNotFoundException e) {
            throw new IllegalArgumentException("--in " + input + ": no such file", e);
        } catch (IOException e) {
            throw new UncheckedIOException("--in " + input + ": " + e.getMessage(), e);
        }
        if (first == null) {
            throw new IllegalArgumentException("--in " + input + ": the file is empty; expected a header "
                    + "series,timestamp,value[,value...] and observations");
        }
        try {
            return ObservationCsv.fromHeader(first);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--in " + input + ": " + e.getMessage(), e);
        }
    }

    /** The file through Flink's file systems, decompressed as the file source would (by its extension). */
    private static InputStream open(Path input) throws IOException {
        InputStream raw = input.getFileSystem().open(input);
        InflaterInputStreamFactory<?> inflater = StandardDeCompressors.getDecompressorForFileName(input.getPath());
        return inflater == null ? raw : inflater.create(raw);
    }

    /** Opens the model once here, so that a wrong --model fails now, in one line, rather than in every task. */
    private static void checkModel(String dir) {
        VectorModule.require("the JVM submitting the job");
        try (ComputePool pool = new ComputePool(1)) {
            TsModel.open(java.nio.file.Path.of(dir), Backends.forDevice("cpu", pool));
        } catch (IOException e) {
            throw new UncheckedIOException("--model " + dir + ": " + e.getMessage(), e);
        }
    }
}
