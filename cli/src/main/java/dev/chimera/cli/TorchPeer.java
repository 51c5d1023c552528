package dev.chimera.cli;

import dev.chimera.core.checkpoint.SafeTensors;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The PyTorch peer of {@code bench train-step}: Chimera's decoder written again in plain PyTorch
 * ({@code torch_peer.py}, a resource of this package, extracted to a temporary directory) and run
 * by Debian's {@code /usr/bin/python3} with {@code python3-torch}, so that a training step of the
 * same model (config, weights, batch, AdamW, thread count) is timed in the same run.
 *
 * <p>It is checked to be the same function before it is timed: Chimera's initial weights, its
 * gradients of the batch and the batch itself go to the script as safetensors files
 * ({@link SafeTensors}), and the script reports the loss and the worst per-tensor gradient
 * difference at those weights. As {@link NumpyReference}, one subprocess serves the whole run:
 * it starts first, so that a missing torch is known before Chimera writes anything, and reports
 * the BLAS that torch really loaded; its timed steps alternate with Chimera's, one each, so that
 * both see the same spells of a busy machine.
 */
final class TorchPeer implements AutoCloseable {
    /** Debian's interpreter, the one its python3-torch is built for (a pyenv python3 on PATH lacks torch). */
    static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String SCRIPT = "torch_peer.py";
    /** Untimed steps (forward, backward, AdamW) after the parity pass, which allocate AdamW's state. */
    static final int WARMUP_STEPS = 1;
    /** Token ids travel as float32: exact below 2^24. */
    private static final int MAX_EXACT_ID = 1 << 24;

    /** The peer cannot run here (no interpreter, no torch); the bench says why in one line. */
    static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String reason) {
            super(reason);
        }
    }

    /**
     * What torch runs on: its version, its ATen kernels' instruction set, the BLAS it loaded, its
     * threads and how they wait (OMP_WAIT_POLICY).
     */
    record Backend(String torchVersion, String capability, String blasKind, String blas, int threads,
                   String waitPolicy) {
        /** Debian's reference (netlib) BLAS: about 10x slower than OpenBLAS, which makes any comparison moot. */
        boolean referenceBlas() {
            return blasKind.equals("reference");
        }
    }

    /** Parity at Chimera's initial weights and the mean timings of the peer's training steps. */
    record Result(double loss, double gradRelErr, String gradWorst, double forwardMs, double backwardMs,
                  double adamwMs, double maxRssMb) {
        /** Forward + backward + AdamW. */
        double stepMs() {
            return forwardMs + backwardMs + adamwMs;
        }
    }

    private final Process process;
    private final Writer in;
    private final BufferedReader out;
    private final Path dir;
    private final Path stderr;
    private final Backend backend;
    private final Thread killer;
    private double loss;
    private double gradRelErr;
    private String gradWorst;
    /** Seconds summed over the timed steps: forward, backward, AdamW. */
    private final double[] stepSeconds = new double[3];
    private int steps;
    private double maxRssMb;

    private TorchPeer(Process process, BufferedReader out, Path dir, Path stderr, Backend backend, Thread killer) {
        this.process = process;
        this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.out = out;
        this.dir = dir;
        this.stderr = stderr;
        this.backend = backend;
        this.killer = killer;
    }

    /**
     * Starts the peer on {@code threads} threads and waits until torch has loaded; throws
     * {@link Unavailable} with the reason if it cannot run here.
     */
    static TorchPeer start(int threads) throws Unavailable {
        if (!Files.isExecutable(PYTHON)) {
            throw new Unavailable(PYTHON + " not found (the peer needs Debian's python3 with python3-torch)");
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("chimera-torch-peer");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory for the PyTorch peer", e);
        }
        Process p = null;
        Thread killer = null;
        try {
            Path script = dir.resolve(SCRIPT);
            try (InputStream s = TorchPeer.class.getResourceAsStream(SCRIPT)) {
                if (s == null) {
                    throw new IllegalStateException(SCRIPT + " is missing from the cli jar");
                }
                Files.copy(s, script);
            }
            Path stderr = dir.resolve("stderr.txt");
            ProcessBuilder pb = new ProcessBuilder(PYTHON.toString(), script.toString(), Integer.toString(threads));
            environment(pb.environment(), threads);
            pb.redirectError(stderr.toFile());
            p = pb.start();
            // The peer must not outlive an interrupted bench.
            Process started = p;
            killer = new Thread(started::destroyForcibly);
            Runtime.getRuntime().addShutdownHook(killer);
            BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            Map<String, String> header = readUntil(reader, "ready", p, stderr);
            if (header.containsKey("unavailable")) {
                throw new Unavailable(header.get("unavailable"));
            }
            Backend backend = new Backend(header.get("torch"), header.get("capability"), header.get("blas_kind"),
                    header.get("blas"), (int) number(header, "threads"), header.get("wait_policy"));
            return new TorchPeer(p, reader, dir, stderr, backend, killer);
        } catch (IOException e) {
            // A broken install (torch crashing on import, say) must not cost Chimera's figures either.
            cleanUp(p, killer, dir);
            throw new Unavailable("could not start: " + e.getMessage());
        } catch (Unavailable | RuntimeException e) {
            cleanUp(p, killer, dir);
            throw e;
        }
    }

    /**
     * Thread counts for torch's OpenMP pool and OpenBLAS. Unless the user chose otherwise:
     * OpenMP threads that wait passively, as Chimera's pool does, because libgomp's default of
     * spinning before it sleeps collapses when the cores are shared (2-core host, small preset,
     * batch 4 x 2048: the peer's step took 61.5 s spinning at load 3, against 9.6-25 s passive at
     * loads 2-6; on an idle host spinning was ~10% faster, 9.9-10.4 s against 11.3 s). ACTIVE
     * would be wrong here: idle threads that spin forever would take cores from Chimera's steps,
     * which alternate with the peer's. And on an AVX-512 CPU, OpenBLAS's SkylakeX kernel (as
     * {@link NumpyReference}: Debian's OpenBLAS 0.3.21 predates Zen 4/5 and would fall back to
     * its Haswell kernel there).
     */
    private static void environment(Map<String, String> env, int threads) {
        env.put("OMP_NUM_THREADS", Integer.toString(threads));
        env.put("OPENBLAS_NUM_THREADS", Integer.toString(threads));
        env.put("MKL_NUM_THREADS", Integer.toString(threads));
        env.putIfAbsent("OMP_WAIT_POLICY", "PASSIVE");
        if (!env.containsKey("OPENBLAS_CORETYPE") && NumpyReference.cpuHasAvx512()) {
            env.put("OPENBLAS_CORETYPE", "SkylakeX");
        }
    }

    Backend backend() {
        return backend;
    }

    /**
     * Writes the model's parameters (at the values the loss was taken at), their gradients of
     * that batch, and the batch; the peer checks parity and takes its untimed warm-up steps
     * with AdamW at {@code lr}.
     */
    void prepare(ModelConfig config, Parameters parameters, int[] ids, int[] targets, int batch, int seq, double lr)
            throws IOException {
        writeInputs(dir, config, parameters, ids, targets, batch, seq);
        in.write(dir + "\n" + WARMUP_STEPS + " " + String.format(Locale.ROOT, "%.3e", lr) + "\n");
        in.flush();
        Map<String, String> r = readUntil(out, "prepared", process, stderr);
        loss = number(r, "loss");
        gradRelErr = number(r, "grad_rel_err");
        gradWorst = r.get("grad_worst");
    }

    /** One timed training step of the peer (forward, backward, AdamW), after {@link #prepare}. */
    void step() throws IOException {
        in.write("step\n");
        in.flush();
        String reply = readUntil(out, "step", process, stderr).get("step");
        String[] t = reply.split(" ");
        double[] v = new double[t.length];
        try {
            for (int i = 0; i < t.length; i++) {
                v[i] = Double.parseDouble(t[i]);
            }
        } catch (NumberFormatException e) {
            v = new double[0];
        }
        if (v.length != 4) {
            throw new IOException("the python peer sent '" + reply + "' for a step, expected 4 numbers");
        }
        for (int i = 0; i < 3; i++) {
            stepSeconds[i] += v[i];
        }
        maxRssMb = v[3];
        steps++;
    }

    /** Parity and the mean of the timed steps so far. */
    Result result() {
        return new Result(loss, gradRelErr, gradWorst, 1e3 * stepSeconds[0] / steps, 1e3 * stepSeconds[1] / steps,
                1e3 * stepSeconds[2] / steps, maxRssMb);
    }

    /**
     * weights.safetensors (metadata: the config JSON and the names that take weight decay),
     * grads.safetensors and batch.safetensors (ids and targets as float32 (batch, seq)).
     */
    private static void writeInputs(Path dir, ModelConfig config, Parameters parameters, int[] ids, int[] targets, int batch,
                            int seq) throws IOException {
        List<SafeTensors.Slice> values = new ArrayList<>();
        List<SafeTensors.Slice> grads = new ArrayList<>();
        List<String> decay = new ArrayList<>();
        for (Parameters.Entry e : parameters.entries()) {
            values.add(new SafeTensors.Slice(e.name(), e.shape(), parameters.values(), e.offset()));
            grads.add(new SafeTensors.Slice(e.name(), e.shape(), parameters.grads(), e.offset()));
            if (e.decay()) {
                decay.add(e.name());
            }
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("config", config.toJson());
        meta.put("decay", String.join(",", decay));
        SafeTensors.write(dir.resolve("weights.safetensors"), values, meta);
        SafeTensors.write(dir.resolve("grads.safetensors"), grads, Map.of());
        SafeTensors.write(dir.resolve("batch.safetensors"), List.of(
                new SafeTensors.Slice("ids", new int[] {batch, seq}, asFloats(ids, "token id"), 0),
                new SafeTensors.Slice("targets", new int[] {batch, seq}, asFloats(targets, "target"), 0)), Map.of());
    }

    private static float[] asFloats(int[] v, String what) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            if (v[i] >= MAX_EXACT_ID || v[i] < -1) {
                throw new IllegalArgumentException("PyTorch peer: " + what + " " + v[i] + " at " + i
                        + " is outside [-1, 2^24), which float32 carries exactly");
            }
            f[i] = v[i];
        }
        return f;
    }

    /** "key value" lines up to {@code last} (or an "unavailable" line); a dead peer is reported with its stderr. */
    private static Map<String, String> readUntil(BufferedReader reader, String last, Process p, Path stderr)
            throws IOException {
        Map<String, String> lines = new HashMap<>();
        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
            int space = line.indexOf(' ');
            String key = space < 0 ? line : line.substring(0, space);
            lines.put(key, space < 0 ? "" : line.substring(space + 1).trim());
            if (key.equals(last) || key.equals("unavailable")) {
                return lines;
            }
        }
        throw new IOException("the python peer stopped" + exitCode(p) + lastLine(stderr));
    }

    private static String exitCode(Process p) {
        try {
            return p.waitFor(5, TimeUnit.SECONDS) ? " with exit code " + p.exitValue() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The last non-empty line the peer wrote to stderr (a Python exception's message), or nothing. */
    private static String lastLine(Path stderr) {
        try (Stream<String> lines = Files.lines(stderr)) {
            List<String> text = lines.filter(l -> !l.isBlank()).collect(Collectors.toList());
            return text.isEmpty() ? "" : ": " + text.get(text.size() - 1).trim();
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static double number(Map<String, String> r, String key) throws IOException {
        String v = r.get(key);
        try {
            return Double.parseDouble(v);
        } catch (NullPointerException | NumberFormatException e) {
            throw new IOException("the python peer sent '" + v + "' for " + key + ", expected a number");
        }
    }

    /** Ends the peer (closing its input ends its loop) and deletes the temporary directory. */
    @Override
    public void close() {
        cleanUp(process, killer, dir);
    }

    private static void cleanUp(Process p, Thread killer, Path dir) {
        if (p != null) {
            try {
                p.getOutputStream().close();
            } catch (IOException e) {
                // Closed already: the peer sees the end of its input either way.
            }
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
        if (killer != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(killer);
            } catch (IllegalStateException e) {
                // Already shutting down: the hook runs anyway.
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        } catch (IOException e) {
            // A temporary directory left behind is harmless; the figures are what matter.
        }
    }
}
