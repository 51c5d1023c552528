package dev.chimera.cli;

import dev.chimera.core.kernel.ScalarBackend;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        r.loss = 2.5;
        r.peer = "unavailable: no torch here";
        return r;
    }

    /** A peer that took 200 ms per step with AdamW and agreed with Chimera to 2e-6 in the loss. */
    private static BenchTrainStepCommand.Result withPeer(String blasKind) {
        BenchTrainStepCommand.Result r = result();
        r.peer = "torch";
        r.peerBackend = new TorchPeer.Backend("1.13.0a0", "AVX2", blasKind, "libX 1.0", 1, "PASSIVE");
        r.peerResult = new TorchPeer.Result(2.500005, 3e-6, "layers.0.mamba.A_log", 50, 140, 10, 300);
        return r;
    }

    private static String print(boolean json, BenchTrainStepCommand.Result r, StringWriter err) {
        StringWriter s = new StringWriter();
        BenchTrainStepCommand.print(new PrintWriter(s), new PrintWriter(err), json, "tiny", r);
        return s.toString();
    }

    private static String print(boolean json) {
        return print(json, result(), new StringWriter());
    }

    @Test
    void jsonHasTimeShareAndStateOfEachOptimiser() {
        String line = print(true).trim();
        // share = update / (forward + backward + update): 10 / 100 and 5 / 95.
        assertTrue(line.contains("\"adamw_optimizer_ms\":10.00,\"adamw_optimizer_share\":0.1000,"
                + "\"adamw_optimizer_state_bytes\":8000"), line);
        assertTrue(line.contains("\"sgd_sai_optimizer_ms\":5.00,\"sgd_sai_optimizer_share\":0.0526,"
                + "\"sgd_sai_optimizer_state_bytes\":4008,"), line);
        assertTrue(line.startsWith("{\"op\":\"train-step\",\"config\":\"tiny\""), line);
    }

    @Test
    void jsonWithoutPeerHasTheLossTheStepWithAdamwAndWhyThereIsNoPeer() {
        String line = print(true).trim();
        // forward 30 + backward 60 + AdamW 10 = 100 ms for 2 x 8 tokens: 160 tokens/s.
        assertTrue(line.endsWith(",\"loss\":2.5000000,\"ms_per_step_with_adamw\":100.0,"
                + "\"tokens_per_s_with_adamw\":160.0,\"peer\":\"unavailable: no torch here\"}"), line);
        assertFalse(line.contains("peer_"), line);
    }

    @Test
    void jsonWithPeerComparesStepsWithAdamwAndReportsParity() {
        StringWriter err = new StringWriter();
        String line = print(true, withPeer("openblas"), err).trim();
        // Peer step 50 + 140 + 10 = 200 ms: 80 tokens/s, and Chimera's 100 ms is 2x faster.
        assertTrue(line.contains(",\"peer\":\"torch\",\"peer_torch_version\":\"1.13.0a0\",\"peer_capability\":\"AVX2\","
                + "\"peer_blas_kind\":\"openblas\",\"peer_blas\":\"libX 1.0\",\"peer_threads\":1,"
                + "\"peer_omp_wait_policy\":\"PASSIVE\","
                + "\"peer_loss\":2.5000050,\"peer_loss_rel_diff\":0.000002000,\"peer_grad_rel_err\":0.000003000,"
                + "\"peer_grad_worst\":\"layers.0.mamba.A_log\",\"peer_forward_ms\":50.0,\"peer_backward_ms\":140.0,"
                + "\"peer_adamw_ms\":10.0,\"peer_step_s\":0.200,\"peer_tokens_per_s\":80.0,"
                + "\"speedup_vs_peer\":2.000,\"peer_max_rss_mb\":300}"), line);
        assertEquals("", err.toString());
    }

    @Test
    void theReferenceBlasIsAWarningOnStderr() {
        StringWriter err = new StringWriter();
        print(true, withPeer("reference"), err);
        assertTrue(err.toString().startsWith("WARNING: PyTorch runs on the reference BLAS (libX 1.0)"), err.toString());
    }

    @Test
    void textHasOneLinePerOptimiserAndOneForAMissingPeer() {
        String[] lines = print(false).split("\n");
        assertEquals(7, lines.length, String.join("\n", lines));
        assertEquals("  optimiser adamw      10.00 ms per step, 10.00% of forward+backward+update, state 8,000 bytes",
                lines[3]);
        assertEquals("  optimiser sgd_sai     5.00 ms per step,  5.26% of forward+backward+update, state 4,008 bytes "
                + "(50.1% of adamw)", lines[4]);
        assertEquals("  loss of the batch at the initial weights 2.5000000", lines[5]);
        assertEquals("  PyTorch peer: unavailable: no torch here", lines[6]);
    }

    @Test
    void textWithPeerGivesParityTimingsAndSpeedup() {
        String[] lines = print(false, withPeer("openblas"), new StringWriter()).split("\n");
        assertEquals(10, lines.length, String.join("\n", lines));
        assertEquals("  PyTorch 1.13.0a0 peer, same model, batch and AdamW on 1 thread(s) (OMP_WAIT_POLICY PASSIVE); "
                + "ATen AVX2; BLAS libX 1.0", lines[6]);
        assertEquals("    parity at the initial weights: loss 2.5000050 (Chimera 2.5000000, relative difference 2.0e-06); "
                + "gradients: worst relative L2 difference 3.0e-06 (layers.0.mamba.A_log)", lines[7]);
        assertEquals("    200.0 ms per step with AdamW (forward 50.0, backward 140.0, AdamW 10.0), 80 tokens/s, "
                + "peak RSS 300 MB", lines[8]);
        assertEquals("    Chimera with AdamW 100.0 ms per step, 160 tokens/s: 2.00x PyTorch", lines[9]);
    }

    @Test
    void anUnknownPeerIsAUserError() {
        CliRun r = CliRun.run("bench", "train-step", "--config", "tiny", "--peer", "jax");
        assertEquals(1, r.code, r.out + r.err);
        assertEquals("chimera bench train-step: error: --peer must be 'torch' or 'none', got 'jax'", r.err.strip());
    }

    /**
     * Loss: both sides sum float32 products in different orders through a few layers, ~1e-7
     * relative; measured 1e-8 to 1e-7 on these configs. Gradients: per-tensor relative L2
     * differences, the worst being small tensors (dt_bias, A_log) whose gradients are sums over
     * every position; measured up to ~1e-6. Tolerances leave 10-100x room above those.
     */
    private static final double LOSS_RTOL = 1e-5;
    private static final double GRAD_RTOL = 1e-4;

    @Test
    void thePeerComputesTheSameLossAndGradientsAsChimera(@TempDir Path dir) throws Exception {
        // Every variant the peer implements: ReLU MLP, a window, two SSM groups, a tied head, and
        // a length (38) that is not a multiple of the chunk size (4), beside the tiny preset's
        // SwiGLU, full span, one group and untied head.
        ModelConfig variant = ModelConfig.builder().dModel(16).nLayers(3).mixerPattern("MAM")
                .mlp(ModelConfig.MlpKind.RELU).mlpHidden(24).attnHeads(4).kvHeads(2).ropeBase(10_000)
                .attnSpans(List.of("window:5")).dState(4).headdim(8).expand(2).ngroups(2).dConv(4).chunkSize(4)
                .input(CoreComponents.tokens(8)).head(CoreComponents.softmax(8, true)).build();
        Path file = dir.resolve("variant.json");
        variant.write(file);
        String torch = torchImport();
        for (String config : List.of("tiny", file.toString())) {
            CliRun r = CliRun.run("bench", "train-step", "--config", config, "--batch", "2", "--seq", "38",
                    "--steps", "1", "--threads", "1", "--json");
            assertEquals(0, r.code, r.err);
            JsonNode line = new ObjectMapper().readTree(r.out.strip());
            String peer = line.get("peer").asText();
            if (torch != null) {
                assertTrue(peer.startsWith("unavailable: "), peer);
                assertFalse(line.has("peer_tokens_per_s"), r.out);
                assertTrue(line.get("tokens_per_s").asDouble() > 0, r.out);
                continue;
            }
            assertEquals("torch", peer, r.out + r.err);
            double loss = line.get("loss").asDouble();
            double peerLoss = line.get("peer_loss").asDouble();
            assertTrue(Math.abs(peerLoss - loss) <= LOSS_RTOL * Math.abs(loss), config + ": " + r.out);
            assertTrue(line.get("peer_loss_rel_diff").asDouble() <= LOSS_RTOL, config + ": " + r.out);
            assertTrue(line.get("peer_grad_rel_err").asDouble() <= GRAD_RTOL, config + ": " + r.out);
            for (String key : List.of("peer_step_s", "peer_tokens_per_s", "speedup_vs_peer", "peer_forward_ms",
                    "peer_backward_ms", "peer_adamw_ms")) {
                assertTrue(line.get(key).asDouble() > 0, key + ": " + r.out);
            }
            assertFalse(line.get("peer_blas").asText().isEmpty(), r.out);
            assertFalse(line.get("peer_torch_version").asText().isEmpty(), r.out);
        }
        Assumptions.assumeTrue(torch == null, "PyTorch peer not checked, only its 'unavailable' line: " + torch);
    }

    /** Null if Debian's python3 imports torch, else why not. */
    private static String torchImport() throws IOException, InterruptedException {
        if (!Files.isExecutable(TorchPeer.PYTHON)) {
            return TorchPeer.PYTHON + " not found";
        }
        Process p = new ProcessBuilder(TorchPeer.PYTHON.toString(), "-c", "import torch")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "importing torch took over 60 s";
        }
        return p.exitValue() == 0 ? null : "import torch failed: " + out.substring(out.lastIndexOf('\n') + 1);
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
