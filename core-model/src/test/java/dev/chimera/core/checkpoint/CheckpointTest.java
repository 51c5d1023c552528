package dev.chimera.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.backend.Backends;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.core.model.Parameters;
import dev.chimera.core.train.AdamW;
import dev.chimera.core.train.Optimizer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    private static final ComputePool POOL = new ComputePool(1);
    private static final Backend K = Backends.cpu(POOL);
    private static final int MAX_LENGTH = 16;

    @TempDir
    Path run;

    @AfterAll
    static void closePool() {
        POOL.close();
    }

    private static Decoder decoder(ModelConfig config, long seed) {
        Decoder d = new Decoder(config, MAX_LENGTH, K);
        d.initialise(seed);
        return d;
    }

    /** Tiny's config with another dState: every Mamba2 projection changes shape. */
    private static ModelConfig otherState() {
        return ModelConfig.tiny().toBuilder().dState(8).build();
    }

    private static ModelConfig layers(int nLayers) {
        return ModelConfig.tiny().toBuilder().nLayers(nLayers).build();
    }

    /** AdamW with awkward moments (signed zeros, subnormals) and 7 steps taken, without training. */
    private static AdamW adamw(Parameters p, long seed) {
        AdamW o = new AdamW(p, AdamW.Settings.defaults(), K);
        SplittableRandom random = new SplittableRandom(seed);
        for (float[] s : o.state().values()) {
            for (int i = 0; i < s.length; i++) {
                s[i] = (float) random.nextGaussian();
            }
            s[0] = -0.0f;
            s[1] = Float.MIN_VALUE;
        }
        o.restoreSteps(7);
        return o;
    }

    private static TrainerState state(long step, Optimizer o) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("schedule", "cosine warmup=10 lr=3e-4");
        info.put("data", "shards 0-3, position 12345");
        return new TrainerState(step, 42, o == null ? null : o.name(), info);
    }

    private static int[] bits(float[] v) {
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.floatToRawIntBits(v[i]);
        }
        return out;
    }

    private Path save(Decoder d, Optimizer o, long step, int keep) throws IOException {
        return Checkpoint.save(run, d.config(), d.parameters(), o, state(step, o), keep);
    }

    private List<String> runEntries() throws IOException {
        try (Stream<Path> s = Files.list(run)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        Decoder d = decoder(ModelConfig.tiny(), 1);
        float[] v = d.parameters().values();
        v[0] = -0.0f;
        v[1] = Float.MIN_VALUE;
        v[2] = Float.MIN_NORMAL / 4;
        AdamW o = adamw(d.parameters(), 2);
        Path step = save(d, o, 5, 2);

        assertEquals(run.resolve("step-000000005"), step);
        assertEquals("step-000000005\n", Files.readString(run.resolve("latest")));
        assertEquals(List.of("latest", "step-000000005"), runEntries());
        try (Stream<Path> s = Files.list(step)) {
            assertEquals(List.of("SHA256SUMS", "config.json", "model.safetensors", "optimizer.safetensors",
                    "trainer.json"), s.map(p -> p.getFileName().toString()).sorted().toList());
        }
        List<String> sums = Files.readAllLines(step.resolve("SHA256SUMS"));
        assertEquals(4, sums.size());
        String[] order = {"config.json", "model.safetensors", "optimizer.safetensors", "trainer.json"};
        for (int i = 0; i < 4; i++) {
            assertEquals(AtomicFiles.sha256(step.resolve(order[i])) + "  " + order[i], sums.get(i));
        }

        for (Path from : List.of(run, step)) {
            LoadedCheckpoint loaded = Checkpoint.load(from);
            assertEquals(step, loaded.directory());
            assertEquals(ModelConfig.tiny(), loaded.config());
            assertEquals(state(5, o), loaded.trainerState());
            assertTrue(loaded.hasOptimizer());
            loaded.requireConfig(ModelConfig.tiny());

            Decoder fresh = decoder(ModelConfig.tiny(), 99);
            AdamW freshOpt = new AdamW(fresh.parameters(), AdamW.Settings.defaults(), K);
            loaded.restoreInto(fresh.parameters());
            loaded.restoreOptimizer(freshOpt);
            assertArrayEquals(bits(v), bits(fresh.parameters().values()));
            assertEquals(7, freshOpt.steps());
            for (String k : o.state().keySet()) {
                assertArrayEquals(bits(o.state().get(k)), bits(freshOpt.state().get(k)), k);
            }
        }
    }

    @Test
    void filesAreStandardSafetensorsWithChimeraMetadata() throws IOException {
        Decoder d = decoder(ModelConfig.tiny(), 1);
        AdamW o = adamw(d.parameters(), 2);
        Path step = save(d, o, 5, 2);
        try (SafeTensors.Reader r = SafeTensors.open(step.resolve(Checkpoint.MODEL))) {
            assertEquals(Map.of("format", "chimera", "step", "5"), r.metadata());
            List<String> names = d.parameters().entries().stream().map(Parameters.Entry::name).toList();
            assertEquals(names, r.tensors().stream().map(SafeTensors.Info::name).toList());
            for (Parameters.Entry e : d.parameters().entries()) {
                assertArrayEquals(e.shape(), r.info(e.name()).shape(), e.name());
            }
        }
        try (SafeTensors.Reader r = SafeTensors.open(step.resolve(Checkpoint.OPTIMIZER))) {
            assertEquals(Map.of("format", "chimera", "optimizer", "adamw", "steps", "7", "step", "5"), r.metadata());
            assertEquals(List.of("exp_avg", "exp_avg_sq"), r.tensors().stream().map(SafeTensors.Info::name).toList());
            assertArrayEquals(new int[] {d.parameters().size()}, r.info("exp_avg").shape());
        }
        assertEquals(ModelConfig.tiny(), ModelConfig.read(step.resolve(Checkpoint.CONFIG)));
    }

    @Test
    void sha256sumVerifiesAStepDirectory() throws Exception {
        Path step = save(decoder(ModelConfig.tiny(), 1), null, 3, 2);
        Process p;
        try {
            p = new ProcessBuilder("sha256sum", "-c", "--quiet", "SHA256SUMS").directory(step.toFile())
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            System.err.println("SKIPPED sha256sumVerifiesAStepDirectory: sha256sum is not on the PATH");
            org.junit.jupiter.api.Assumptions.abort("sha256sum (coreutils) is not on the PATH: " + e.getMessage());
            return;
        }
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }

    @Test
    void aFlippedByteIsAChecksumMismatch() throws IOException {
        Path step = save(decoder(ModelConfig.tiny(), 1), null, 5, 2);
        Path model = step.resolve(Checkpoint.MODEL);
        try (FileChannel ch = FileChannel.open(model, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long at = ch.size() - 10;
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, at);
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(run));
        assertEquals("checksum mismatch in " + model + ": the file is corrupted or was changed", e.getMessage());
    }

    @Test
    void aTruncatedFileIsAChecksumMismatch() throws IOException {
        Path step = save(decoder(ModelConfig.tiny(), 1), null, 5, 2);
        Path trainer = step.resolve(Checkpoint.TRAINER);
        try (FileChannel ch = FileChannel.open(trainer, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2);
        }
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(step));
        assertEquals("checksum mismatch in " + trainer + ": the file is corrupted or was changed", e.getMessage());
    }

    @Test
    void missingFilesAreNamed() throws IOException {
        Path step = save(decoder(ModelConfig.tiny(), 1), adamw(decoder(ModelConfig.tiny(), 1).parameters(), 3), 5, 2);
        Files.delete(step.resolve(Checkpoint.OPTIMIZER));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(run));
        assertEquals("checkpoint " + step + " is missing optimizer.safetensors", e.getMessage());
        Files.delete(step.resolve(Checkpoint.MODEL));
        e = assertThrows(CheckpointException.class, () -> Checkpoint.load(run));
        assertEquals("checkpoint " + step + " is missing model.safetensors", e.getMessage());
        Files.delete(step.resolve(Checkpoint.SUMS));
        e = assertThrows(CheckpointException.class, () -> Checkpoint.load(step));
        assertEquals("checkpoint " + step + " is missing model.safetensors", e.getMessage());
    }

    @Test
    void anUnfinishedStepDirectoryLacksItsChecksums() throws IOException {
        Path step = save(decoder(ModelConfig.tiny(), 1), null, 5, 2);
        Files.delete(step.resolve(Checkpoint.SUMS));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(step));
        assertEquals("checkpoint " + step + " is missing SHA256SUMS", e.getMessage());
    }

    @Test
    void somethingElseIsNotACheckpoint() throws IOException {
        Path empty = Files.createDirectory(run.resolve("empty"));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoint.load(empty));
        assertTrue(e.getMessage().startsWith(empty + " is not a Chimera checkpoint directory"), e.getMessage());
        Path file = Files.writeString(run.resolve("notes.txt"), "hello");
        e = assertThrows(CheckpointException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().startsWith(file + " is not a Chimera checkpoint directory"), e.getMessage());
        e = assertThrows(CheckpointException.class, () -> Checkpoint.load(run.resolve("nope")));
        assertEquals("checkpoint " + run.resolve("nope") + " does not exist", e.getMessage());

        Files.writeString(run.resolve("latest"), "step-000000077\n");
        e = assertThrows(CheckpointException.class, () -> Checkpoint.load(run));
        assertEquals(run.resolve("latest") + " names step-000000077, which does not exist in " + run, e.getMessage());
        Files.writeString(run.resolve("latest"), "../elsewhere\n");
        e = assertThrows(CheckpointException.class, () -> Checkpoint.load(run));
        assertTrue(e.getMessage().contains("should name a step directory such as step-000000100, found"),
                e.getMessage());
    }

    @Test
    void aDifferentConfigNamesTheFirstMismatchedTensor() throws IOException {
        Decoder tiny = decoder(ModelConfig.tiny(), 1);
        Path step = save(tiny, null, 5, 2);
        LoadedCheckpoint loaded = Checkpoint.load(run);

        Decoder other = decoder(otherState(), 2);
        float[] before = other.parameters().values().clone();
        // The first tensor in declaration order whose shape differs, and how many differ in all.
        Parameters.Entry first = null;
        int differing = 0;
        for (Parameters.Entry e : other.parameters().entries()) {
            if (!Arrays.equals(e.shape(), tiny.parameters().entry(e.name()).shape())) {
                first = first == null ? e : first;
                differing++;
            }
        }
        assertEquals("layers.0.mamba.in_proj.weight", first.name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loaded.restoreInto(other.parameters()));
        assertEquals(step.resolve(Checkpoint.MODEL) + " has layers.0.mamba.in_proj.weight of shape "
                + Arrays.toString(tiny.parameters().entry(first.name()).shape()) + ", the config needs "
                + Arrays.toString(first.shape()) + " (and " + (differing - 1) + " more mismatched tensors)",
                e.getMessage());
        assertArrayEquals(bits(before), bits(other.parameters().values()), "nothing restored on a mismatch");

        e = assertThrows(IllegalArgumentException.class, () -> loaded.requireConfig(otherState()));
        assertEquals("checkpoint " + step + " was saved with a different model config: dState is 4 in the"
                + " checkpoint, 8 expected", e.getMessage());
    }

    @Test
    void missingAndExtraTensorsAreNamed() throws IOException {
        save(decoder(layers(3), 1), null, 5, 2);
        LoadedCheckpoint three = Checkpoint.load(run);
        Path model = three.directory().resolve(Checkpoint.MODEL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> three.restoreInto(decoder(ModelConfig.tiny(), 1).parameters()));
        assertTrue(e.getMessage().startsWith(model + " has layers.2."), e.getMessage());
        assertTrue(e.getMessage().contains("which the config does not have"), e.getMessage());

        Path other = Files.createDirectory(run.resolve("other"));
        Checkpoint.save(other, ModelConfig.tiny(), decoder(ModelConfig.tiny(), 1).parameters(), null,
                state(1, null));
        LoadedCheckpoint two = Checkpoint.load(other);
        e = assertThrows(IllegalArgumentException.class, () -> two.restoreInto(decoder(layers(3), 1).parameters()));
        assertTrue(e.getMessage().startsWith(two.directory().resolve(Checkpoint.MODEL) + " has no tensor layers.2."),
                e.getMessage());
        assertTrue(e.getMessage().contains(", the config needs it with shape ["), e.getMessage());
    }

    @Test
    void optimizerStateMustBePresentAndOfTheSameOptimizer() throws IOException {
        Decoder d = decoder(ModelConfig.tiny(), 1);
        Path step = save(d, null, 5, 2);
        assertFalse(Files.exists(step.resolve(Checkpoint.OPTIMIZER)));
        assertEquals(3, Files.readAllLines(step.resolve(Checkpoint.SUMS)).size());
        LoadedCheckpoint loaded = Checkpoint.load(run);
        assertFalse(loaded.hasOptimizer());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loaded.restoreOptimizer(new AdamW(d.parameters(), AdamW.Settings.defaults(), K)));
        assertEquals("checkpoint " + step + " was saved without optimizer state; cannot restore adamw",
                e.getMessage());

        save(d, adamw(d.parameters(), 1), 6, 2);
        LoadedCheckpoint withAdam = Checkpoint.load(run);
        e = assertThrows(IllegalArgumentException.class, () -> withAdam.restoreOptimizer(new Sgd()));
        assertEquals("checkpoint " + withAdam.directory() + " holds adamw optimizer state, the optimizer to restore"
                + " is sgd", e.getMessage());

        // The trainer state must name the optimizer that is saved.
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.save(run, d.config(), d.parameters(),
                null, state(7, adamw(d.parameters(), 1))));
        assertEquals("trainer state names optimizer adamw but the optimizer given is null", e.getMessage());
    }

    @Test
    void anExistingStepIsNeverOverwritten() throws IOException {
        Decoder d = decoder(ModelConfig.tiny(), 1);
        Path step = save(d, null, 5, 2);
        String sum = AtomicFiles.sha256(step.resolve(Checkpoint.MODEL));
        d.parameters().values()[0] += 1;
        FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class, () -> save(d, null, 5, 2));
        assertEquals(step + ": checkpoint already exists; refusing to overwrite it", e.getMessage());
        assertEquals(sum, AtomicFiles.sha256(step.resolve(Checkpoint.MODEL)));
        assertEquals(List.of("latest", "step-000000005"), runEntries());
    }

    @Test
    void keepsTheNewestKCheckpoints() throws IOException {
        Decoder d = decoder(ModelConfig.tiny(), 1);
        for (long s = 1; s <= 5; s++) {
            save(d, null, s * 100, 2);
        }
        assertEquals(List.of("latest", "step-000000400", "step-000000500"), runEntries());
        assertEquals("step-000000500\n", Files.readString(run.resolve("latest")));
        save(d, null, 600, 1);
        assertEquals(List.of("latest", "step-000000600"), runEntries());
        save(d, null, 700, 3);
        save(d, null, 800, 3);
        save(d, null, 900, 3);
        assertEquals(List.of(run.resolve("step-000000700"), run.resolve("step-000000800"),
                run.resolve("step-000000900")), Checkpoint.steps(run));
        // Saving an older step (a run restarted from an earlier checkpoint) keeps the one just written.
        save(d, null, 50, 1);
        assertEquals(List.of("latest", "step-000000050"), runEntries());
        assertEquals(run.resolve("step-000000050"), Checkpoint.latest(run).orElseThrow());
        assertThrows(IllegalArgumentException.class, () -> save(d, null, 60, 0));
    }

    @Test
    void leftoversOfACrashedSaveAreIgnoredAndCleanedUp() throws IOException {
        Decoder d = decoder(ModelConfig.tiny(), 1);
        Path first = save(d, null, 1, 2);
        // A save of step 2 that died after writing part of the model, and a half-written 'latest'.
        Path tmp = Files.createDirectory(run.resolve(".step-000000002.tmp-crash"));
        Files.write(tmp.resolve(Checkpoint.MODEL), new byte[] {1, 2, 3});
        Files.writeString(tmp.resolve(Checkpoint.CONFIG), "{");
        Files.writeString(run.resolve(".latest.abc.tmp"), "step-0000");
        Path doomed = Files.createDirectory(run.resolve(".step-000000000.old-xyz"));
        Files.writeString(doomed.resolve(Checkpoint.TRAINER), "{}");

        assertEquals(first, Checkpoint.load(run).directory());
        Path second = save(d, null, 2, 2);
        assertEquals(List.of("latest", "step-000000001", "step-000000002"), runEntries());
        assertEquals(second, Checkpoint.load(run).directory());
    }

    @Test
    void resumingFromACheckpointContinuesWithIdenticalLosses() throws IOException {
        ModelConfig config = ModelConfig.tiny();
        Decoder d = decoder(config, 5);
        AdamW o = new AdamW(d.parameters(), AdamW.Settings.defaults(), K);
        Decoder.Training t = d.new Training(2, 6);
        for (int s = 0; s < 3; s++) {
            trainStep(d, o, t, s);
        }
        save(d, o, 3, 2);
        double[] expected = new double[3];
        for (int s = 3; s < 6; s++) {
            expected[s - 3] = trainStep(d, o, t, s);
        }

        LoadedCheckpoint loaded = Checkpoint.load(run);
        loaded.requireConfig(config);
        Decoder resumed = decoder(loaded.config(), 77);
        AdamW resumedOpt = new AdamW(resumed.parameters(), AdamW.Settings.defaults(), K);
        loaded.restoreInto(resumed.parameters());
        loaded.restoreOptimizer(resumedOpt);
        Decoder.Training rt = resumed.new Training(2, 6);
        double[] actual = new double[3];
        for (long s = loaded.trainerState().step(); s < 6; s++) {
            actual[(int) s - 3] = trainStep(resumed, resumedOpt, rt, s);
        }
        assertArrayEquals(expected, actual, 0.0, "bit-identical losses after resuming");
        assertArrayEquals(bits(d.parameters().values()), bits(resumed.parameters().values()));
    }

    /** One AdamW step on a fixed batch of tokens derived from the step number; returns the loss. */
    private static double trainStep(Decoder d, Optimizer o, Decoder.Training t, long step) {
        SplittableRandom random = new SplittableRandom(1000 + step);
        int vocab = d.config().input().integer("vocabSize", 1);
        int[] ids = new int[2 * 6];
        int[] next = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = random.nextInt(vocab);
            next[i] = random.nextInt(vocab);
        }
        Inputs in = Inputs.tokens(ids, 2, 6);
        Targets targets = Targets.tokens(next);
        d.parameters().zeroGrads();
        double loss = d.forward(in, targets, t);
        d.backward(in, targets, t);
        o.step(1e-2);
        return loss;
    }

    /** An optimiser of another name, to check that restoring into it is refused. */
    private static final class Sgd implements Optimizer {
        @Override
        public String name() {
            return "sgd";
        }

        @Override
        public void step(double learningRate) {
        }

        @Override
        public long steps() {
            return 0;
        }

        @Override
        public long stateBytes() {
            return 0;
        }

        @Override
        public Map<String, float[]> state() {
            return new LinkedHashMap<>();
        }

        @Override
        public void restoreSteps(long steps) {
        }
    }
}
