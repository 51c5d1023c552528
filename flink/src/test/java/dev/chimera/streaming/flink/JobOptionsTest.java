package dev.chimera.streaming.flink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.runtime.Checkout;
import dev.chimera.streaming.consumer.Emit;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's options and the checks made before it is submitted: each problem is one line naming the option. */
class JobOptionsTest {
    @TempDir
    Path dir;

    @Test
    void defaultsAreTheConsumersAndValuesAreChecked() {
        JobOptions o = JobOptions.parse(args(), null);
        ForecastSettings s = o.settings();
        assertEquals(Emit.SEGMENT, s.emit());
        assertEquals(0, s.horizon(), "0: the model's segment, as stream run's default");
        assertEquals(96, s.consumerSettings(96).horizon());
        assertEquals(24, JobOptions.parse(args("--horizon", "24"), null).settings().consumerSettings(96).horizon());
        assertEquals(3, s.levels().length);
        assertEquals(Duration.ofSeconds(10), o.checkpointInterval());
        assertEquals(0, o.parallelism());

        assertError("--emit sometimes: expected segment or every", "--emit", "sometimes");
        assertError("--horizon 0: expected at least 1", "--horizon", "0");
        assertError("--quantiles: expected increasing levels in (0, 1)", "--quantiles", "0.5,1.5");
        assertError("--on-missing skip: expected error or hold", "--on-missing", "skip");
        assertError("--parallelism 0: expected at least 1", "--parallelism", "0");
        assertError("--checkpoint-interval soon: expected a duration such as 10 s or 500 ms",
                "--checkpoint-interval", "soon");
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> JobOptions.parse(new String[] {"--in", "x"}, null));
        assertTrue(missing.getMessage().startsWith("Missing required options"), missing.getMessage());
    }

    @Test
    void helpIsPrintedAndNothingRuns() {
        StringWriter text = new StringWriter();
        assertNull(JobOptions.parse(new String[] {"--help"}, new PrintWriter(text)));
        assertTrue(text.toString().contains("--checkpoint-interval"), text.toString());
    }

    @Test
    void aMissingOrHeaderlessInputAndAWrongModelFailBeforeSubmission() throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        Path none = dir.resolve("none.csv");
        assertDefineError(env, "--in " + none + ": no such file", "--in", none.toString());
        Path headerless = Files.writeString(dir.resolve("data.csv"), "a,1483228800,1.0\n");
        assertDefineError(env, "--in " + headerless + ": the first line, 'a,1483228800,1.0', is data",
                "--in", headerless.toString());
        Path good = Files.writeString(dir.resolve("good.csv"), "series,timestamp,value\na,1483228800,1.0\n");
        assertDefineError(env, "--model " + dir + ": not a Chimera model directory", "--in", good.toString(),
                "--model", dir.toString());
    }

    /** The required options with defaults, and {@code more} (option, value pairs) added or replacing them. */
    private static String[] args(String... more) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("--model", Checkout.shippedModel("etth1-point").toString());
        options.put("--in", "in.csv");
        options.put("--out", "out");
        for (int i = 0; i < more.length; i += 2) {
            options.put(more[i], more[i + 1]);
        }
        List<String> all = new ArrayList<>();
        options.forEach((name, value) -> all.addAll(List.of(name, value)));
        return all.toArray(new String[0]);
    }

    private static void assertError(String message, String... more) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobOptions.parse(args(more), null));
        assertEquals(message, e.getMessage());
    }

    private static void assertDefineError(StreamExecutionEnvironment env, String start, String... more) {
        RuntimeException e = assertThrows(RuntimeException.class,
                () -> ForecastJob.define(env, JobOptions.parse(args(more), null)));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }
}
