package dev.chimera.cli;

import dev.chimera.core.kernel.ScalarBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.model.Parameters;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BenchTrainStepCommandTest {

    private static BenchTrainStepCommand.Result result() {
        BenchTrainStepCommand.Result r = new BenchTrainStepCommand.Result();
        r.params = 1000;
        r.batch = 2;
        r.seq = 8;
        r.threads = 1;
        r.forwardMs = 30;
        r.backwardMs = 60;
        r.modelGflops = 10;
        r.gemmGflops = 100;
        r.optimizers.add(new BenchTrainStepCommand.OptimizerTiming("adamw", 10, 8000));
        r.optimizers.add(new BenchTrainStepCommand.OptimizerTiming("sgd_sai", 5, 4008));
        return r;
    }

    private static String print(boolean json) {
        StringWriter s = new StringWriter();
        BenchTrainStepCommand.print(new PrintWriter(s), json, "tiny", result());
        return s.toString();
    }

    @Test
    void jsonHasTimeShareAndStateOfEachOptimiser() {
        String line = print(true).trim();
        // share = update / (forward + backward + update): 10 / 100 and 5 / 95.
        assertTrue(line.contains("\"adamw_optimizer_ms\":10.00,\"adamw_optimizer_share\":0.1000,"
                + "\"adamw_optimizer_state_bytes\":8000"), line);
        assertTrue(line.contains("\"sgd_sai_optimizer_ms\":5.00,\"sgd_sai_optimizer_share\":0.0526,"
                + "\"sgd_sai_optimizer_state_bytes\":4008}"), line);
        assertTrue(line.startsWith("{\"op\":\"train-step\",\"config\":\"tiny\""), line);
    }

    @Test
    void textHasOneLinePerOptimiser() {
        String[] lines = print(false).split("\n");
        assertEquals(5, lines.length, String.join("\n", lines));
        assertEquals("  optimiser adamw      10.00 ms per step, 10.00% of forward+backward+update, state 8,000 bytes",
                lines[3]);
        assertEquals("  optimiser sgd_sai     5.00 ms per step,  5.26% of forward+backward+update, state 4,008 bytes "
                + "(50.1% of adamw)", lines[4]);
    }

    @Test
    void optimiserTimingsLeaveTheParametersAsTheyWere() {
        Parameters p = Parameters.builder().add("w", true, 64, 3).add("norm.weight", false, 64).build();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < p.size(); i++) {
            p.values()[i] = (float) r.nextDouble();
            p.grads()[i] = (float) (r.nextDouble() - 0.5);
        }
        float[] values = p.values().clone();
        float[] grads = p.grads().clone();
        List<BenchTrainStepCommand.OptimizerTiming> t = BenchTrainStepCommand.optimizerTimings(p, new ScalarBackend(), 2);
        assertEquals(List.of("adamw", "sgd_sai"), t.stream().map(BenchTrainStepCommand.OptimizerTiming::name).toList());
        assertEquals(8L * p.size(), t.get(0).stateBytes());
        assertEquals(4L * p.size() + 4L * 2, t.get(1).stateBytes());
        assertTrue(t.get(0).ms() > 0 && t.get(1).ms() > 0, t.toString());
        assertArrayEquals(values, p.values());
        assertArrayEquals(grads, p.grads());
    }
}
