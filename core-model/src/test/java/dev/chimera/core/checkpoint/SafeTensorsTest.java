package dev.chimera.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {

    @TempDir
    Path dir;

    private static int[] bits(float[] values) {
        int[] out = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Float.floatToRawIntBits(values[i]);
        }
        return out;
    }

    /** A file in the reference layout, built byte by byte: header length LE, the JSON as given, data. */
    private Path handWritten(String name, long headerLength, String json, byte[] data) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLength).put(header).put(data);
        Path f = dir.resolve(name);
        Files.write(f, b.array());
        return f;
    }

    private Path handWritten(String name, String json, byte[] data) throws IOException {
        return handWritten(name, json.getBytes(StandardCharsets.UTF_8).length, json, data);
    }

    private static byte[] floatsLe(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putInt(Float.floatToRawIntBits(v));
        }
        return b.array();
    }

    private static String tensor(String dtype, String shape, long begin, long end) {
        return "{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private String rejection(Path file) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.open(file).close());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void roundTripIsBitExact() throws IOException {
        float[] special = {-0.0f, 0.0f, Float.MIN_VALUE, Float.MIN_NORMAL / 2, -Float.MIN_VALUE, Float.MAX_VALUE,
                Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, Float.NaN, Float.intBitsToFloat(0x7fc00123),
                1.0f / 3, -2.5e-30f};
        // More values than one 1 MiB I/O chunk, from random bit patterns (every exponent, sign, subnormals).
        SplittableRandom random = new SplittableRandom(3);
        float[] big = new float[300_001];
        for (int i = 0; i < big.length; i++) {
            big[i] = Float.intBitsToFloat(random.nextInt());
        }
        float[] flat = new float[2 + 3 * 5];
        for (int i = 0; i < flat.length; i++) {
            flat[i] = (float) random.nextGaussian();
        }
        List<SafeTensors.Slice> tensors = List.of(
                new SafeTensors.Slice("special", new int[] {3, 4}, special, 0),
                new SafeTensors.Slice("layers.0.w", new int[] {3, 5}, flat, 2),
                new SafeTensors.Slice("scalar", new int[] {}, flat, 1),
                new SafeTensors.Slice("empty", new int[] {0, 7}, flat, 17),
                SafeTensors.Slice.of("big", big));
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, tensors, Map.of("format", "chimera"));

        try (SafeTensors.Reader r = SafeTensors.open(f)) {
            assertEquals(Map.of("format", "chimera"), r.metadata());
            assertEquals(List.of("special", "layers.0.w", "scalar", "empty", "big"),
                    r.tensors().stream().map(SafeTensors.Info::name).toList());
            assertArrayEquals(new int[] {3, 4}, r.info("special").shape());
            assertArrayEquals(new int[] {}, r.info("scalar").shape());
            assertArrayEquals(new int[] {0, 7}, r.info("empty").shape());
            assertArrayEquals(bits(special), bits(r.read("special")));
            assertArrayEquals(bits(java.util.Arrays.copyOfRange(flat, 2, 17)), bits(r.read("layers.0.w")));
            assertArrayEquals(new int[] {Float.floatToRawIntBits(flat[1])}, bits(r.read("scalar")));
            assertEquals(0, r.read("empty").length);
            assertArrayEquals(bits(big), bits(r.read("big")));
            float[] into = new float[20];
            r.readInto("layers.0.w", into, 5);
            assertEquals(flat[2], into[5]);
            assertEquals(0f, into[4]);
            assertThrows(IllegalArgumentException.class, () -> r.readInto("layers.0.w", into, 6));
            assertThrows(IllegalArgumentException.class, () -> r.read("nope"));
        }
        // Data follows the header contiguously in the order given: file size is exact.
        long header = 8 + ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (header - 8) % 8);
        assertEquals(header + 4L * (12 + 15 + 1 + 0 + big.length), Files.size(f));
    }

    @Test
    void tinyFileMatchesTheReferenceLayoutByteForByte() throws IOException {
        // What the reference (python safetensors 0.8.0, numpy.save_file) writes for
        // {"b": [1.0, -0.0], "a": [[2.5]]} with metadata {"format": "pt"}: compact JSON,
        // __metadata__ first, tensors sorted by name and packed in that order, the header padded
        // with spaces to 144 = 18 * 8 bytes, then float32 little-endian. Hand-computed here.
        String json = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertEquals(141, json.length());
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(HexFormat.of().parseHex("9000000000000000")); // 144, u64 little-endian
        expected.writeBytes(json.getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes("   ".getBytes(StandardCharsets.US_ASCII));   // 141 + 3 = 144
        expected.writeBytes(HexFormat.of().parseHex("00002040"));         // 2.5f  = 0x40200000
        expected.writeBytes(HexFormat.of().parseHex("0000803f"));         // 1.0f  = 0x3f800000
        expected.writeBytes(HexFormat.of().parseHex("00000080"));         // -0.0f = 0x80000000

        Path f = dir.resolve("tiny.safetensors");
        SafeTensors.write(f, List.of(
                new SafeTensors.Slice("a", new int[] {1, 1}, new float[] {2.5f}, 0),
                new SafeTensors.Slice("b", new int[] {2}, new float[] {1.0f, -0.0f}, 0)), Map.of("format", "pt"));
        assertEquals(HexFormat.of().formatHex(expected.toByteArray()), HexFormat.of().formatHex(Files.readAllBytes(f)));
    }

    @Test
    void headerWithoutMetadataOmitsTheKey() throws IOException {
        Path f = dir.resolve("nometa.safetensors");
        SafeTensors.write(f, List.of(SafeTensors.Slice.of("x", new float[] {1})), Map.of());
        byte[] bytes = Files.readAllBytes(f);
        assertEquals(56, ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong()); // 54 + 2 spaces
        String text = new String(bytes, 8, 56, StandardCharsets.US_ASCII);
        assertEquals("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}  ", text);
    }

    @Test
    void readsAFileWrittenByHandInTheReferenceLayout() throws IOException {
        // Header order differs from data order, metadata sits in the middle, and the header
        // length is not a multiple of 8: all allowed by the format.
        String json = "{\"w\":" + tensor("F32", "[2,2]", 8, 24) + ",\"__metadata__\":{\"k\":\"v\",\"n\":\"1\"},"
                + "\"bias\":" + tensor("F32", "[2]", 0, 8) + "}  ";
        float sub = Float.intBitsToFloat(3);
        Path f = handWritten("hand.safetensors", json, floatsLe(1f, -2f, 0.5f, 1.5f, -3f, sub));
        try (SafeTensors.Reader r = SafeTensors.open(f)) {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("k", "v");
            meta.put("n", "1");
            assertEquals(meta, r.metadata());
            assertEquals(List.of("w", "bias"), r.tensors().stream().map(SafeTensors.Info::name).toList());
            assertArrayEquals(new int[] {2, 2}, r.info("w").shape());
            assertArrayEquals(bits(new float[] {0.5f, 1.5f, -3f, sub}), bits(r.read("w")));
            assertArrayEquals(bits(new float[] {1f, -2f}), bits(r.read("bias")));
        }
        Map<String, float[]> all = SafeTensors.readAll(f);
        assertEquals(List.of("w", "bias"), List.copyOf(all.keySet()));
    }

    @Test
    void rejectsFilesShorterThanTheLengthField() throws IOException {
        Path f = dir.resolve("short");
        Files.write(f, new byte[5]);
        assertTrue(rejection(f).contains("has 5 bytes, fewer than the 8-byte header length"));
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() throws IOException {
        Path f = handWritten("long", 1000, "{}", new byte[0]);
        assertTrue(rejection(f).contains("header length 1000 runs past the end of the file (10 bytes)"));
        // An unsigned length with the top bit set is not a negative number.
        Path g = handWritten("huge", -8, "{}", new byte[0]);
        assertTrue(rejection(g).contains("header length 18446744073709551608 runs past the end"));
    }

    @Test
    void rejectsInvalidJson() throws IOException {
        assertTrue(rejection(handWritten("j1", "{\"a\":", new byte[0])).contains("header is not valid JSON"));
        assertTrue(rejection(handWritten("j2", "[1, 2]", new byte[0])).contains("header is not a JSON object"));
        assertTrue(rejection(handWritten("j3", "{} {}", new byte[0])).contains("header is not valid JSON"));
        String dup = "{\"a\":" + tensor("F32", "[1]", 0, 4) + ",\"a\":" + tensor("F32", "[1]", 4, 8) + "}";
        String m = rejection(handWritten("j4", dup, new byte[8]));
        assertTrue(m.contains("header is not valid JSON") && m.contains("Duplicate field 'a'"), m);
        Path bad = dir.resolve("j5");
        Files.write(bad, new byte[] {4, 0, 0, 0, 0, 0, 0, 0, '{', (byte) 0xff, '}', ' '});
        assertTrue(rejection(bad).contains("header is not valid JSON"));
    }

    @Test
    void rejectsMalformedTensorEntries() throws IOException {
        assertTrue(rejection(handWritten("e1", "{\"a\":" + tensor("F16", "[2]", 0, 4) + "}", new byte[4]))
                .contains("tensor 'a' has dtype F16; only F32 tensors can be read"));
        assertTrue(rejection(handWritten("e2", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],"
                + "\"x\":1}}", new byte[4])).contains("tensor 'a' has an unknown field 'x'"));
        assertTrue(rejection(handWritten("e3", "{\"a\":" + tensor("F32", "[-1]", 0, 4) + "}", new byte[4]))
                .contains("tensor 'a' has shape [-1]: dimensions must be integers >= 0"));
        assertTrue(rejection(handWritten("e4", "{\"a\":" + tensor("F32", "[1]", 4, 0) + "}", new byte[4]))
                .contains("tensor 'a' has data_offsets [4,0] with end before begin"));
        assertTrue(rejection(handWritten("e5", "{\"__metadata__\":{\"n\":1}}", new byte[0]))
                .contains("__metadata__ value of 'n' is 1, not a string"));
        assertTrue(rejection(handWritten("e6", "{\"a\":[1]}", new byte[0])).contains("tensor 'a' is described by"));
    }

    @Test
    void rejectsAShapeThatDisagreesWithTheByteLength() throws IOException {
        String m = rejection(handWritten("s", "{\"a\":" + tensor("F32", "[3]", 0, 8) + "}", new byte[8]));
        assertTrue(m.contains("tensor 'a' has shape [3] (3 F32 values = 12 bytes) but data_offsets [0,8] span 8 bytes"),
                m);
    }

    @Test
    void rejectsOffsetsOutOfRange() throws IOException {
        String m = rejection(handWritten("o", "{\"a\":" + tensor("F32", "[2]", 0, 8) + "}", new byte[4]));
        assertTrue(m.contains("tensor 'a' has data_offsets [0, 8] beyond the 4 bytes of data after the header"), m);
    }

    @Test
    void rejectsOverlappingTensors() throws IOException {
        String json = "{\"a\":" + tensor("F32", "[2]", 0, 8) + ",\"b\":" + tensor("F32", "[2]", 4, 12) + "}";
        String m = rejection(handWritten("ov", json, new byte[12]));
        assertTrue(m.contains("tensor 'b' data_offsets [4, 12] overlap tensor 'a' [0, 8]"), m);
    }

    @Test
    void rejectsGapsAndUncoveredData() throws IOException {
        String gap = "{\"a\":" + tensor("F32", "[1]", 0, 4) + ",\"b\":" + tensor("F32", "[1]", 8, 12) + "}";
        String m = rejection(handWritten("gap", gap, new byte[12]));
        assertTrue(m.contains("data bytes [4, 8) before tensor 'b' belong to no tensor"), m);
        String tail = "{\"a\":" + tensor("F32", "[1]", 0, 4) + "}";
        m = rejection(handWritten("tail", tail, new byte[8]));
        assertTrue(m.contains("the tensors cover 4 of the 8 data bytes after the header"), m);
    }

    @Test
    void rejectsTruncatedFiles() throws IOException {
        Path f = dir.resolve("cut.safetensors");
        SafeTensors.write(f, List.of(SafeTensors.Slice.of("x", new float[] {1, 2, 3})), Map.of());
        long size = Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size - 3);
        }
        String m = rejection(f);
        assertTrue(m.contains("tensor 'x' has data_offsets [0, 12] beyond the 9 bytes of data"), m);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(20);
        }
        assertTrue(rejection(f).contains("runs past the end of the file (20 bytes)"));
    }

    @Test
    void writerRejectsBadInput() {
        float[] data = new float[4];
        assertThrows(IllegalArgumentException.class, () -> new SafeTensors.Slice("a", new int[] {5}, data, 0));
        assertThrows(IllegalArgumentException.class, () -> new SafeTensors.Slice("a", new int[] {2}, data, 3));
        assertThrows(IllegalArgumentException.class, () -> new SafeTensors.Slice("__metadata__", new int[] {1}, data, 0));
        assertThrows(IllegalArgumentException.class, () -> new SafeTensors.Slice("", new int[] {1}, data, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(
                dir.resolve("dup"), List.of(SafeTensors.Slice.of("a", data), SafeTensors.Slice.of("a", data)), Map.of()));
        assertTrue(e.getMessage().contains("tensor 'a' given twice"));
    }
}
