package dev.chimera.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our safetensors files against the reference implementation (python {@code safetensors}, the
 * Hugging Face package, through its numpy API): it reads what we write, we read what it writes,
 * and for name-sorted tensors our file is byte for byte the file it writes. Skipped, with the
 * reason printed, when python3, numpy or safetensors is missing.
 */
class SafeTensorsReferenceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** read PATH: prints {"metadata", "tensors": {name: {dtype, shape, bits}}}; write PATH SPEC: save_file. */
    private static final String SCRIPT = String.join("\n",
            "import json, sys",
            "import numpy as np",
            "from safetensors import safe_open",
            "from safetensors.numpy import load_file, save_file",
            "if sys.argv[1] == 'read':",
            "    with safe_open(sys.argv[2], framework='np') as f:",
            "        meta = f.metadata()",
            "    out = {k: {'dtype': str(v.dtype), 'shape': list(v.shape),",
            "               'bits': [int(x) for x in v.reshape(-1).view(np.uint32)]}",
            "           for k, v in load_file(sys.argv[2]).items()}",
            "    print(json.dumps({'metadata': meta, 'tensors': out}))",
            "else:",
            "    spec = json.load(open(sys.argv[3]))",
            "    tensors = {k: np.array(v['bits'], dtype=np.uint32).view(np.float32).reshape(v['shape'])",
            "               for k, v in spec['tensors'].items()}",
            "    save_file(tensors, sys.argv[2], metadata=spec['metadata'])",
            "");

    @TempDir
    Path dir;

    /** Why the reference cannot run here, or "" when it can; checked once per class. */
    private static String missing;

    @BeforeAll
    static void probeReference() throws InterruptedException {
        missing = "";
        try {
            Result r = python(Path.of("."), "-c", "import numpy, safetensors.numpy");
            if (r.exit != 0) {
                missing = "python3 cannot import numpy and safetensors (pip install numpy safetensors): "
                        + r.err.strip().replaceAll("(?s).*\n", "");
            }
        } catch (IOException e) {
            missing = "python3 is not on the PATH (" + e.getMessage() + ")";
        }
        if (!missing.isEmpty()) {
            System.err.println("SKIPPED SafeTensorsReferenceTest: " + missing);
        }
    }

    @BeforeEach
    void requireReference() {
        Assumptions.assumeTrue(missing.isEmpty(), "reference safetensors not available: " + missing);
    }

    private record Result(int exit, String out, String err) {
    }

    private static Result python(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add("python3");
        command.addAll(List.of(args));
        Path err = Files.createTempFile("python", ".err");
        try {
            Process p = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("python3 did not finish in 120 s");
            }
            return new Result(p.exitValue(), out, Files.readString(err));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private Result runScript(String... args) throws IOException, InterruptedException {
        Path script = dir.resolve("ref.py");
        Files.writeString(script, SCRIPT);
        String[] all = new String[args.length + 1];
        all[0] = script.toString();
        System.arraycopy(args, 0, all, 1, args.length);
        Result r = python(dir, all);
        assertEquals(0, r.exit, () -> "python failed: " + r.err);
        return r;
    }

    /** The tensors used in both directions: unsorted names, awkward shapes, special values. */
    private static Map<String, SafeTensors.Slice> tensors() {
        SplittableRandom random = new SplittableRandom(11);
        Map<String, SafeTensors.Slice> t = new LinkedHashMap<>();
        float[] special = {-0.0f, Float.MIN_VALUE, Float.MIN_NORMAL / 3, Float.NaN, Float.NEGATIVE_INFINITY,
                Float.MAX_VALUE, 1e-40f, -1.5f};
        t.put("z.weight", new SafeTensors.Slice("z.weight", new int[] {2, 4}, special, 0));
        float[] w = new float[3 * 5 * 7];
        for (int i = 0; i < w.length; i++) {
            w[i] = Float.intBitsToFloat(random.nextInt());
        }
        t.put("layers.0.mamba.in_proj.weight", new SafeTensors.Slice("layers.0.mamba.in_proj.weight",
                new int[] {3, 5, 7}, w, 0));
        t.put("a", new SafeTensors.Slice("a", new int[] {}, new float[] {0.1f}, 0));
        t.put("empty", new SafeTensors.Slice("empty", new int[] {0, 3}, new float[0], 0));
        return t;
    }

    private static int[] bits(float[] v, int offset, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = Float.floatToRawIntBits(v[offset + i]);
        }
        return out;
    }

    @Test
    void referenceReadsOurFiles() throws Exception {
        Map<String, SafeTensors.Slice> tensors = tensors();
        Path f = dir.resolve("ours.safetensors");
        SafeTensors.write(f, List.copyOf(tensors.values()), Map.of("format", "chimera", "step", "7"));
        JsonNode out = JSON.readTree(runScript("read", f.toString()).out);
        assertEquals(JSON.readTree("{\"format\":\"chimera\",\"step\":\"7\"}"), out.get("metadata"));
        assertEquals(tensors.size(), out.get("tensors").size());
        for (SafeTensors.Slice s : tensors.values()) {
            JsonNode t = out.get("tensors").get(s.name());
            assertEquals("float32", t.get("dtype").asText(), s.name());
            assertArrayEquals(s.shape(), JSON.convertValue(t.get("shape"), int[].class), s.name());
            int[] bits = new int[s.count()];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = (int) t.get("bits").get(i).asLong();
            }
            assertArrayEquals(bits(s.data(), s.offset(), s.count()), bits, s.name());
        }
    }

    @Test
    void weReadReferenceFilesAndWriteTheSameBytes() throws Exception {
        Map<String, SafeTensors.Slice> tensors = tensors();
        ObjectNode spec = JSON.createObjectNode();
        // One metadata key: the reference keeps metadata in a hash map, so the order of several is arbitrary.
        spec.putObject("metadata").put("format", "pt");
        ObjectNode specTensors = spec.putObject("tensors");
        for (SafeTensors.Slice s : tensors.values()) {
            ObjectNode t = specTensors.putObject(s.name());
            ArrayNode shape = t.putArray("shape");
            for (int d : s.shape()) {
                shape.add(d);
            }
            ArrayNode bits = t.putArray("bits");
            for (int b : bits(s.data(), s.offset(), s.count())) {
                bits.add(Integer.toUnsignedLong(b));
            }
        }
        Path specFile = dir.resolve("spec.json");
        JSON.writeValue(specFile.toFile(), spec);
        Path theirs = dir.resolve("theirs.safetensors");
        runScript("write", theirs.toString(), specFile.toString());

        try (SafeTensors.Reader r = SafeTensors.open(theirs)) {
            assertEquals(Map.of("format", "pt"), r.metadata());
            for (SafeTensors.Slice s : tensors.values()) {
                assertArrayEquals(s.shape(), r.info(s.name()).shape(), s.name());
                float[] v = r.read(s.name());
                assertArrayEquals(bits(s.data(), s.offset(), s.count()), bits(v, 0, v.length), s.name());
            }
        }

        // The reference orders tensors by name (all F32); given that order, our writer must
        // produce the identical file.
        List<SafeTensors.Slice> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparing(SafeTensors.Slice::name));
        Path ours = dir.resolve("ours.safetensors");
        SafeTensors.write(ours, sorted, Map.of("format", "pt"));
        assertEquals(HexFormat.of().formatHex(Files.readAllBytes(theirs)),
                HexFormat.of().formatHex(Files.readAllBytes(ours)));
    }
}
