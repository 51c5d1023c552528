package dev.chimera.cli;

import dev.chimera.core.backend.Backend;

import dev.chimera.core.JsonLine;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.decoder.ModelFlops;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.GemmForm;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.train.AdamW;
import dev.chimera.core.train.Optimizer;
import dev.chimera.core.train.SgdSai;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.ConfigOption;
import dev.chimera.runtime.JsonOption;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code chimera bench train-step}: forward + backward of a model on random tokens, with the
 * useful model FLOP rate beside the GEMM rate measured in the same run, then the optimiser step
 * (AdamW and SGD-SaI) on the model's parameters and gradients: its time, its share of a whole
 * training step (forward + backward + update) and the state it holds. Last, unless {@code --peer
 * none}, the same model's training step in PyTorch ({@link TorchPeer}): its tokens/s beside
 * Chimera's, and the parity of the two at Chimera's initial weights.
 */
@Command(name = "train-step",
        mixinStandardHelpOptions = true,
        description = {"Times forward+backward of a model on random tokens: tokens/s, useful model GFLOP/s "
                + "(counted analytically) and, as the reference, the GEMM GFLOP/s of a 1024^3 product in the same run.",
                "Then times one optimiser step of AdamW and of SGD-SaI on the same parameters: ms, share of "
                        + "forward + backward + update, and optimiser state in bytes.",
                "Then, with --peer torch, times the same model, batch and AdamW in PyTorch (Debian's "
                        + "/usr/bin/python3 with python3-torch) after checking that both give the same loss and "
                        + "gradients at Chimera's initial weights."})
final class BenchTrainStepCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConfigOption config;

    @Option(names = "--batch", defaultValue = "4", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seq", defaultValue = "2048", description = "Sequence length (default: ${DEFAULT-VALUE}).")
    int seq;

    @Option(names = "--steps", defaultValue = "3", description = "Timed steps after the warm-up (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--warmup", defaultValue = "2", description = "Untimed steps first: the JIT compiles the kernels "
            + "during the first and settles in the second (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--peer", defaultValue = "torch", paramLabel = "torch|none",
            description = "The same training step measured in PyTorch in the same run, if installed "
                    + "(default: ${DEFAULT-VALUE}).")
    String peer;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        ModelConfig c = config.load();
        if (c.tokenVocab() < 1) {
            throw new UserException("bench train-step needs a token model with a softmax head");
        }
        if (batch < 1 || seq < 1 || steps < 1 || warmup < 1) {
            throw new UserException("--batch, --seq, --steps and --warmup must be >= 1");
        }
        if (!peer.equals("torch") && !peer.equals("none")) {
            throw new UserException("--peer must be 'torch' or 'none', got '" + peer + "'");
        }
        int threads = compute.threads();
        String status = "none";
        TorchPeer torch = null;
        if (peer.equals("torch")) {
            try {
                torch = TorchPeer.start(threads);
                status = "torch";
            } catch (TorchPeer.Unavailable e) {
                status = "unavailable: " + e.getMessage();
            }
        }
        try {
            Result r = measure(c, batch, seq, warmup, steps, threads, compute::backend, torch);
            if (r.peer == null) {
                r.peer = status;
            }
            print(spec.commandLine().getOut(), spec.commandLine().getErr(), json.enabled(), config.name(), r);
        } finally {
            if (torch != null) {
                torch.close();
            }
        }
        return 0;
    }

    /** What one timed run measured. */
    static final class Result {
        int params;
        int batch;
        int seq;
        int threads;
        int warmup;
        double forwardMs;
        double backwardMs;
        double modelGflops;
        double gemmGflops;
        final List<OptimizerTiming> optimizers = new ArrayList<>();
        /** Mean loss of the batch at the initial weights, where every step is taken. */
        double loss;
        /** "torch", "none", "unavailable: why" or "failed: why"; null until decided. */
        String peer;
        /** What the peer runs on, once it has started; null otherwise. */
        TorchPeer.Backend peerBackend;
        /** The peer's parity and timings; null unless it ran to the end. */
        TorchPeer.Result peerResult;

        double stepMs() {
            return forwardMs + backwardMs;
        }

        double tokensPerSecond() {
            return batch * seq / (stepMs() * 1e-3);
        }

        /** Forward + backward + AdamW, the step the peer times. */
        double stepWithAdamwMs() {
            return stepMs() + optimizers.stream().filter(o -> o.name().equals("adamw")).findFirst()
                    .orElseThrow().ms();
        }

        double tokensPerSecondWithAdamw() {
            return batch * seq / (stepWithAdamwMs() * 1e-3);
        }

        double peerTokensPerSecond() {
            return batch * seq / (peerResult.stepMs() * 1e-3);
        }

        /** Chimera's tokens/s over the peer's, both for forward + backward + AdamW. */
        double speedupVsPeer() {
            return peerResult.stepMs() / stepWithAdamwMs();
        }

        double peerLossRelDiff() {
            return Math.abs(peerResult.loss() - loss) / Math.abs(loss);
        }
    }

    /** One optimiser's mean step time on the model's parameters and the state it holds. */
    record OptimizerTiming(String name, double ms, long stateBytes) {
        /** Fraction of a whole training step, forward + backward + this update, spent in the update. */
        double share(double stepMs) {
            return ms / (stepMs + ms);
        }
    }

    /** Timed optimiser steps after one untimed step (which, for SGD-SaI, also measures the g-SNR). */
    static final int OPTIMIZER_STEPS = 5;

    /** AdamW's rate in the optimiser timings and in the peer's steps: real work that keeps the values sane. */
    static final double LEARNING_RATE = 1e-6;

    /**
     * Mean forward and backward time of {@code steps} steps on random tokens after {@code warmup}
     * untimed ones, the optimiser timings, the GEMM rate and, given a started {@code peer}, its parity
     * and training steps on the same weights and batch, each after one of Chimera's.
     */
    static Result measure(ModelConfig c, int batch, int seq, int warmup, int steps, int threads,
                          Function<ComputePool, Backend> backends, TorchPeer peer) {
        Result r = new Result();
        try (ComputePool pool = new ComputePool(threads)) {
            Decoder model = new Decoder(c, seq, backends.apply(pool));
            model.initialise(1);
            Decoder.Training buffers = model.new Training(batch, seq);
            SplittableRandom random = new SplittableRandom(2);
            int[] ids = new int[batch * seq];
            int[] targets = new int[batch * seq];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(c.tokenVocab());
                targets[i] = random.nextInt(c.tokenVocab());
            }
            Inputs in = Inputs.tokens(ids, batch, seq);
            Targets tg = Targets.tokens(targets);
            long forwardNs = 0;
            long backwardNs = 0;
            for (int step = -warmup; step < steps; step++) {
                model.parameters().zeroGrads();
                long t0 = System.nanoTime();
                r.loss = model.forward(in, tg, buffers);
                long t1 = System.nanoTime();
                model.backward(in, tg, buffers);
                long t2 = System.nanoTime();
                if (step >= 0) {
                    forwardNs += t1 - t0;
                    backwardNs += t2 - t1;
                }
                // Every step is taken at the initial weights, so these gradients are the ones the peer checks.
                if (step == -1) {
                    peer = prepare(peer, r, c, model, ids, targets, batch, seq);
                } else if (step >= 0) {
                    peer = peerStep(peer, r);
                }
            }
            r.params = model.parameters().size();
            r.batch = batch;
            r.seq = seq;
            r.threads = threads;
            r.warmup = warmup;
            r.forwardMs = forwardNs * 1e-6 / steps;
            r.backwardMs = backwardNs * 1e-6 / steps;
            r.modelGflops = ModelFlops.trainingStep(c, batch, seq) / (r.stepMs() * 1e-3) / 1e9;
            r.optimizers.addAll(optimizerTimings(model.parameters(), model.backend(), OPTIMIZER_STEPS));
            r.gemmGflops = GemmBenchmark.measure(model.backend(),
                    new GemmBenchmark.Case("square 1024", GemmForm.AB, 1024, 1024, 1024), 2.0);
            if (peer != null) {
                r.peerResult = peer.result();
            }
            return r;
        }
    }

    /** Hands the peer the weights, gradients and batch; the peer, or null (and why, in r.peer) if it failed. */
    private static TorchPeer prepare(TorchPeer peer, Result r, ModelConfig c, Decoder model, int[] ids, int[] targets,
                                     int batch, int seq) {
        if (peer == null) {
            return null;
        }
        r.peerBackend = peer.backend();
        try {
            peer.prepare(c, model.parameters(), ids, targets, batch, seq, LEARNING_RATE);
            return peer;
        } catch (IOException e) {
            r.peer = "failed: " + e.getMessage();
            return null;
        }
    }

    /** One timed step of the peer after one of Chimera's; the peer, or null (and why, in r.peer) if it failed. */
    private static TorchPeer peerStep(TorchPeer peer, Result r) {
        if (peer == null) {
            return null;
        }
        try {
            peer.step();
            return peer;
        } catch (IOException e) {
            r.peer = "failed: " + e.getMessage();
            return null;
        }
    }

    /**
     * AdamW (its defaults) and SGD-SaI (the official defaults) each stepped once untimed, then
     * {@code steps} times timed, on the gradients the parameters hold; the parameter values are put
     * back afterwards, so the model is as it was.
     */
    static List<OptimizerTiming> optimizerTimings(Parameters parameters, Backend backend, int steps) {
        List<Function<Parameters, Optimizer>> makers = List.of(
                p -> new AdamW(p, AdamW.Settings.defaults(), backend),
                p -> new SgdSai(p, SgdSai.Settings.defaults(), backend));
        float[] saved = parameters.values().clone();
        List<OptimizerTiming> timings = new ArrayList<>();
        for (Function<Parameters, Optimizer> make : makers) {
            Optimizer opt = make.apply(parameters);
            double lr = LEARNING_RATE;
            opt.step(lr);
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                opt.step(lr);
            }
            long ns = System.nanoTime() - t0;
            timings.add(new OptimizerTiming(opt.name(), ns * 1e-6 / steps, opt.stateBytes()));
            System.arraycopy(saved, 0, parameters.values(), 0, saved.length);
        }
        return timings;
    }

    /** The report: one JSON line or text; a warning on {@code err} if the peer runs on the reference BLAS. */
    static void print(PrintWriter out, PrintWriter err, boolean json, String config, Result r) {
        if (json) {
            JsonLine line = new JsonLine().put("op", "train-step").put("config", config)
                    .put("params", r.params).put("batch", r.batch).put("seq", r.seq)
                    .put("threads", r.threads).put("warmup_steps", r.warmup).put("ms_per_step", r.stepMs(), 1)
                    .put("forward_ms", r.forwardMs, 1).put("backward_ms", r.backwardMs, 1)
                    .put("tokens_per_s", r.tokensPerSecond(), 1).put("model_gflops", r.modelGflops, 1)
                    .put("gemm_gflops", r.gemmGflops, 1).put("ratio", r.modelGflops / r.gemmGflops, 3);
            for (OptimizerTiming o : r.optimizers) {
                line.put(o.name() + "_optimizer_ms", o.ms(), 2)
                        .put(o.name() + "_optimizer_share", o.share(r.stepMs()), 4)
                        .put(o.name() + "_optimizer_state_bytes", o.stateBytes());
            }
            line.put("loss", r.loss, 7).put("ms_per_step_with_adamw", r.stepWithAdamwMs(), 1)
                    .put("tokens_per_s_with_adamw", r.tokensPerSecondWithAdamw(), 1)
                    .put("peer", r.peer);
            TorchPeer.Backend b = r.peerBackend;
            if (b != null) {
                line.put("peer_torch_version", b.torchVersion()).put("peer_capability", b.capability())
                        .put("peer_blas_kind", b.blasKind()).put("peer_blas", b.blas()).put("peer_threads", b.threads())
                        .put("peer_omp_wait_policy", b.waitPolicy());
            }
            TorchPeer.Result p = r.peerResult;
            if (p != null) {
                line.put("peer_loss", p.loss(), 7).put("peer_loss_rel_diff", r.peerLossRelDiff(), 9)
                        .put("peer_grad_rel_err", p.gradRelErr(), 9).put("peer_grad_worst", p.gradWorst())
                        .put("peer_forward_ms", p.forwardMs(), 1).put("peer_backward_ms", p.backwardMs(), 1)
                        .put("peer_adamw_ms", p.adamwMs(), 1).put("peer_step_s", p.stepMs() * 1e-3, 3)
                        .put("peer_tokens_per_s", r.peerTokensPerSecond(), 1)
                        .put("speedup_vs_peer", r.speedupVsPeer(), 3).put("peer_max_rss_mb", p.maxRssMb(), 0);
            }
            out.println(line);
        } else {
            out.printf(Locale.ROOT, "train step, config %s (%,d parameters), batch %d x %d tokens, %d thread(s)%n",
                    config, r.params, r.batch, r.seq, r.threads);
            out.printf(Locale.ROOT, "  %.1f ms per step (forward %.1f, backward %.1f), %.0f tokens/s, after %d untimed "
                    + "step(s)%n", r.stepMs(), r.forwardMs, r.backwardMs, r.tokensPerSecond(), r.warmup);
            out.printf(Locale.ROOT, "  model %.1f GFLOP/s useful, GEMM 1024^3 %.1f GFLOP/s in the same run: %.0f%%%n",
                    r.modelGflops, r.gemmGflops, 100 * r.modelGflops / r.gemmGflops);
            for (int i = 0; i < r.optimizers.size(); i++) {
                OptimizerTiming o = r.optimizers.get(i);
                OptimizerTiming first = r.optimizers.get(0);
                out.printf(Locale.ROOT, "  optimiser %-7s %8.2f ms per step, %5.2f%% of forward+backward+update, "
                        + "state %,d bytes%s%n", o.name(), o.ms(), 100 * o.share(r.stepMs()), o.stateBytes(),
                        i == 0 ? "" : String.format(Locale.ROOT, " (%.1f%% of %s)",
                                100.0 * o.stateBytes() / first.stateBytes(), first.name()));
            }
            out.printf(Locale.ROOT, "  loss of the batch at the initial weights %.7f%n", r.loss);
            printPeerText(out, r);
        }
        out.flush();
        if (r.peerBackend != null && r.peerBackend.referenceBlas()) {
            err.println("WARNING: PyTorch runs on the reference BLAS (" + r.peerBackend.blas() + "), about 10x "
                    + "slower than OpenBLAS: its figures say nothing about PyTorch. Install libopenblas0-openmp "
                    + "(update-alternatives --display libblas.so.3-x86_64-linux-gnu shows which BLAS is chosen).");
            err.flush();
        }
    }

    private static void printPeerText(PrintWriter out, Result r) {
        TorchPeer.Backend b = r.peerBackend;
        if (b == null) {
            out.printf(Locale.ROOT, "  PyTorch peer: %s%n", r.peer);
            return;
        }
        out.printf(Locale.ROOT, "  PyTorch %s peer, same model, batch and AdamW on %d thread(s) (OMP_WAIT_POLICY %s); "
                + "ATen %s; BLAS %s%n", b.torchVersion(), b.threads(), b.waitPolicy(), b.capability(), b.blas());
        TorchPeer.Result p = r.peerResult;
        if (p == null) {
            out.printf(Locale.ROOT, "    %s%n", r.peer);
            return;
        }
        out.printf(Locale.ROOT, "    parity at the initial weights: loss %.7f (Chimera %.7f, relative difference %.1e); "
                + "gradients: worst relative L2 difference %.1e (%s)%n", p.loss(), r.loss, r.peerLossRelDiff(),
                p.gradRelErr(), p.gradWorst());
        out.printf(Locale.ROOT, "    %.1f ms per step with AdamW (forward %.1f, backward %.1f, AdamW %.1f), %.0f tokens/s, "
                + "peak RSS %,.0f MB%n", p.stepMs(), p.forwardMs(), p.backwardMs(), p.adamwMs(), r.peerTokensPerSecond(),
                p.maxRssMb());
        out.printf(Locale.ROOT, "    Chimera with AdamW %.1f ms per step, %.0f tokens/s: %.2fx PyTorch%n",
                r.stepWithAdamwMs(), r.tokensPerSecondWithAdamw(), r.speedupVsPeer());
    }
}
