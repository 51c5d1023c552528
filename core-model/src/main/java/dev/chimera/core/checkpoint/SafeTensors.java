package dev.chimera.core.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The safetensors file format (Hugging Face, github.com/huggingface/safetensors, "Format"),
 * written and read for 32-bit float tensors:
 *
 * <pre>
 *   8 bytes   N, the header length, unsigned little-endian
 *   N bytes   UTF-8 JSON object, padded with spaces (0x20) to a multiple of 8 bytes:
 *             {"__metadata__": {"key": "value", ...},
 *              "name": {"dtype": "F32", "shape": [d0, d1, ...], "data_offsets": [begin, end]}, ...}
 *   rest      the tensor data, little-endian, row-major; begin and end count bytes from the
 *             first byte after the header, and the tensors cover the data without gaps or overlaps
 * </pre>
 *
 * <p>The writer emits compact JSON with {@code __metadata__} first (omitted when empty) and the
 * tensors in the order given, laid out contiguously in that order, like the reference writer
 * (which additionally sorts tensors by name; a file written from name-sorted tensors is byte for
 * byte what the reference writes). The reader accepts any header order, validates the whole
 * header before any data is read (header size, JSON, dtypes, shapes against byte lengths,
 * offsets covering the data exactly) and reports each problem with the file and the tensor.
 * Only {@code F32} is read; any other dtype is rejected by name.
 */
public final class SafeTensors {

    /** The only dtype written and read. */
    public static final String F32 = "F32";

    /** The key of the free-form string map in the header. */
    public static final String METADATA_KEY = "__metadata__";

    /** The reference implementation refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    private static final int CHUNK_BYTES = 1 << 20;

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private SafeTensors() {
    }

    /** A tensor to write: {@code shape} and the values {@code data[offset, offset + product(shape))}, row-major. */
    public record Slice(String name, int[] shape, float[] data, int offset) {
        public Slice {
            if (name == null || name.isEmpty() || METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException("safetensors: tensor name '" + name + "' is not allowed");
            }
            shape = shape.clone();
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("safetensors: tensor '" + name + "' has a negative dimension in "
                            + dims(shape));
                }
            }
            long n = product(shape);
            if (offset < 0 || n > data.length - offset) {
                throw new IllegalArgumentException("safetensors: tensor '" + name + "' of shape "
                        + dims(shape) + " at offset " + offset + " does not fit in " + data.length
                        + " values");
            }
        }

        /** A whole array as a 1-D tensor. */
        public static Slice of(String name, float[] data) {
            return new Slice(name, new int[] {data.length}, data, 0);
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** Number of values: the product of the shape. */
        public int count() {
            return Math.toIntExact(product(shape));
        }
    }

    /** One tensor as a file's header describes it: data bytes {@code [begin, end)} after the header. */
    public record Info(String name, String dtype, int[] shape, long begin, long end) {
        public Info {
            shape = shape.clone();
        }

        @Override
        public int[] shape() {
            return shape.clone();
        }

        /** Number of values: the product of the shape. */
        public int count() {
            return Math.toIntExact(product(shape));
        }
    }

    // ------------------------------------------------------------ writing

    /** Writes the tensors to {@code file} atomically (temporary file, fsync, rename; {@link AtomicFiles}). */
    public static void write(Path file, List<Slice> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.write(file, out -> write(out, tensors, metadata));
    }

    /** Writes the tensors to a channel: header then data, in the order given. */
    public static void write(FileChannel out, List<Slice> tensors, Map<String, String> metadata) throws IOException {
        AtomicFiles.writeFully(out, ByteBuffer.wrap(header(tensors, metadata)));
        ByteBuffer buffer = ByteBuffer.allocate(CHUNK_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (Slice t : tensors) {
            int from = t.offset();
            int end = t.offset() + t.count();
            while (from < end) {
                int n = Math.min(end - from, CHUNK_BYTES / Float.BYTES);
                buffer.clear();
                buffer.asFloatBuffer().put(t.data(), from, n);
                buffer.limit(n * Float.BYTES);
                AtomicFiles.writeFully(out, buffer);
                from += n;
            }
        }
    }

    /** The first 8 + N bytes of the file: header length, JSON, space padding. */
    static byte[] header(List<Slice> tensors, Map<String, String> metadata) {
        ObjectNode root = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = root.putObject(METADATA_KEY);
            metadata.forEach((k, v) -> {
                if (k == null || v == null) {
                    throw new IllegalArgumentException("safetensors: metadata keys and values must not be null, got "
                            + k + " = " + v);
                }
                meta.put(k, v);
            });
        }
        Set<String> names = new HashSet<>();
        long begin = 0;
        for (Slice t : tensors) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("safetensors: tensor '" + t.name() + "' given twice");
            }
            long end = begin + (long) t.count() * Float.BYTES;
            ObjectNode node = root.putObject(t.name());
            node.put("dtype", F32);
            ArrayNode shape = node.putArray("shape");
            for (int d : t.shape) {
                shape.add(d);
            }
            node.putArray("data_offsets").add(begin).add(end);
            begin = end;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a safetensors header", e);
        }
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer b = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.hasRemaining()) {
            b.put((byte) ' ');
        }
        return b.array();
    }

    // ------------------------------------------------------------ reading

    /** Opens a file and validates its header; read tensors from the returned reader, then close it. */
    public static Reader open(Path file) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        try {
            return new Reader(file, channel);
        } catch (IOException | RuntimeException | Error e) {
            channel.close();
            throw e;
        }
    }

    /** Reads every tensor of a file, in header order. */
    public static Map<String, float[]> readAll(Path file) throws IOException {
        try (Reader r = open(file)) {
            Map<String, float[]> out = new LinkedHashMap<>();
            for (Info info : r.tensors()) {
                out.put(info.name(), r.read(info.name()));
            }
            return out;
        }
    }

    /** An open, validated safetensors file. Not thread-safe. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel channel;
        private final long dataStart;
        private final Map<String, String> metadata;
        private final Map<String, Info> tensors;

        private Reader(Path file, FileChannel channel) throws IOException {
            this.file = file;
            this.channel = channel;
            long size = channel.size();
            if (size < 8) {
                throw problem("has " + size + " bytes, fewer than the 8-byte header length that starts a safetensors"
                        + " file");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(lengthBytes, 0);
            long n = lengthBytes.getLong(0);
            if (Long.compareUnsigned(n, size - 8) > 0) {
                throw problem("header length " + Long.toUnsignedString(n) + " runs past the end of the file ("
                        + size + " bytes); the file is truncated or not a safetensors file");
            }
            if (n > MAX_HEADER_BYTES) {
                throw problem("header length " + n + " exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) n);
            readFully(headerBytes, 8);
            this.dataStart = 8 + n;
            JsonNode root;
            try {
                root = JSON.readTree(headerBytes.array());
            } catch (IOException e) {
                throw problem("header is not valid JSON: " + originalMessage(e), e);
            }
            if (root == null || !root.isObject()) {
                throw problem("header is not a JSON object");
            }
            Map<String, String> meta = new LinkedHashMap<>();
            Map<String, Info> infos = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (METADATA_KEY.equals(field.getKey())) {
                    parseMetadata(field.getValue(), meta);
                } else {
                    infos.put(field.getKey(), parseInfo(field.getKey(), field.getValue()));
                }
            }
            checkCoverage(infos.values(), size - dataStart);
            this.metadata = Collections.unmodifiableMap(meta);
            this.tensors = Collections.unmodifiableMap(infos);
        }

        public Path file() {
            return file;
        }

        /** The header's {@code __metadata__} map, empty when absent. */
        public Map<String, String> metadata() {
            return metadata;
        }

        /** The tensors in header order. */
        public List<Info> tensors() {
            return List.copyOf(tensors.values());
        }

        /** The named tensor's header entry, or null if the file has none of that name. */
        public Info info(String name) {
            return tensors.get(name);
        }

        /** The named tensor's values, row-major. */
        public float[] read(String name) throws IOException {
            float[] out = new float[require(name).count()];
            readInto(name, out, 0);
            return out;
        }

        /** Reads the named tensor's values into {@code dst[offset, offset + count)}. */
        public void readInto(String name, float[] dst, int offset) throws IOException {
            Info info = require(name);
            int count = info.count();
            if (offset < 0 || (long) offset + count > dst.length) {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' has " + count
                        + " values, which do not fit at offset " + offset + " of an array of " + dst.length);
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, (long) count * Float.BYTES))
                    .order(ByteOrder.LITTLE_ENDIAN);
            long position = dataStart + info.begin();
            int done = 0;
            while (done < count) {
                int n = Math.min(count - done, buffer.capacity() / Float.BYTES);
                buffer.clear().limit(n * Float.BYTES);
                readFully(buffer, position);
                buffer.flip();
                buffer.asFloatBuffer().get(dst, offset + done, n);
                position += (long) n * Float.BYTES;
                done += n;
            }
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }

        private Info require(String name) {
            Info info = tensors.get(name);
            if (info == null) {
                throw new IllegalArgumentException(file + " has no tensor '" + name + "'");
            }
            return info;
        }

        private void readFully(ByteBuffer buffer, long position) throws IOException {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    throw problem("ends at byte " + position + ", before the data its header describes; the file was"
                            + " truncated");
                }
                position += n;
            }
        }

        private void parseMetadata(JsonNode node, Map<String, String> out) throws CheckpointException {
            if (!node.isObject()) {
                throw problem("__metadata__ is not a JSON object of strings");
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!e.getValue().isTextual()) {
                    throw problem("__metadata__ value of '" + e.getKey() + "' is " + e.getValue()
                            + ", not a string");
                }
                out.put(e.getKey(), e.getValue().textValue());
            }
        }

        private Info parseInfo(String name, JsonNode node) throws CheckpointException {
            String where = "tensor '" + name + "'";
            if (!node.isObject()) {
                throw problem(where + " is described by " + node + ", not an object with dtype, shape, data_offsets");
            }
            for (Map.Entry<String, JsonNode> property : node.properties()) {
                String key = property.getKey();
                if (!key.equals("dtype") && !key.equals("shape") && !key.equals("data_offsets")) {
                    throw problem(where + " has an unknown field '" + key + "'");
                }
            }
            JsonNode dtype = node.get("dtype");
            if (dtype == null || !dtype.isTextual()) {
                throw problem(where + " has no dtype string");
            }
            if (!F32.equals(dtype.textValue())) {
                throw problem(where + " has dtype " + dtype.textValue() + "; only F32 tensors can be read");
            }
            JsonNode shapeNode = node.get("shape");
            if (shapeNode == null || !shapeNode.isArray()) {
                throw problem(where + " has no shape array");
            }
            int[] shape = new int[shapeNode.size()];
            for (int i = 0; i < shape.length; i++) {
                JsonNode d = shapeNode.get(i);
                if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                    throw problem(where + " has shape " + shapeNode + ": dimensions must be integers >= 0");
                }
                shape[i] = d.intValue();
            }
            JsonNode offsets = node.get("data_offsets");
            if (offsets == null || !offsets.isArray() || offsets.size() != 2) {
                throw problem(where + " has no data_offsets [begin, end]");
            }
            for (JsonNode o : offsets) {
                if (!o.isIntegralNumber() || !o.canConvertToLong() || o.longValue() < 0) {
                    throw problem(where + " has data_offsets " + offsets + ": offsets must be integers >= 0");
                }
            }
            long begin = offsets.get(0).longValue();
            long end = offsets.get(1).longValue();
            if (end < begin) {
                throw problem(where + " has data_offsets " + offsets + " with end before begin");
            }
            long count = product(shape);
            if (count > Integer.MAX_VALUE - 8) {
                throw problem(where + " has shape " + dims(shape) + ", more values than a Java array"
                        + " holds");
            }
            if (count * Float.BYTES != end - begin) {
                throw problem(where + " has shape " + dims(shape) + " (" + count + " F32 values = "
                        + count * Float.BYTES + " bytes) but data_offsets " + offsets + " span " + (end - begin)
                        + " bytes");
            }
            return new Info(name, F32, shape, begin, end);
        }

        /** The tensors, sorted by offset, must tile [0, dataLength) exactly (the reference's rule). */
        private void checkCoverage(Iterable<Info> infos, long dataLength) throws CheckpointException {
            List<Info> sorted = new ArrayList<>();
            for (Info info : infos) {
                if (info.end() > dataLength) {
                    throw problem("tensor '" + info.name() + "' has data_offsets [" + info.begin() + ", "
                            + info.end() + "] beyond the " + dataLength + " bytes of data after the header");
                }
                sorted.add(info);
            }
            sorted.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
            long covered = 0;
            Info previous = null;
            for (Info info : sorted) {
                if (info.begin() < covered) {
                    throw problem("tensor '" + info.name() + "' data_offsets [" + info.begin() + ", " + info.end()
                            + "] overlap tensor '" + previous.name() + "' [" + previous.begin() + ", "
                            + previous.end() + "]");
                }
                if (info.begin() > covered) {
                    throw problem("data bytes [" + covered + ", " + info.begin() + ") before tensor '" + info.name()
                            + "' belong to no tensor");
                }
                covered = info.end();
                previous = info;
            }
            if (covered != dataLength) {
                throw problem("the tensors cover " + covered + " of the " + dataLength + " data bytes after the"
                        + " header; the remaining bytes belong to no tensor");
            }
        }

        private CheckpointException problem(String what) {
            return new CheckpointException(file + ": " + what);
        }

        private CheckpointException problem(String what, Throwable cause) {
            return new CheckpointException(file + ": " + what, cause);
        }
    }

    /** The number of values of a shape, or Long.MAX_VALUE if that overflows a long. */
    static long product(int[] shape) {
        long n = 1;
        for (int d : shape) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                return Long.MAX_VALUE;
            }
        }
        return n;
    }

    private static String originalMessage(IOException e) {
        return e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    }

    /** For messages: a shape as {@code [a, b]}. */
    static String dims(int[] shape) {
        return Arrays.toString(shape);
    }
}
