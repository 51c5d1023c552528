package dev.chimera.genomics.classify;

import dev.chimera.core.checkpoint.SafeTensors;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A method's parameters in a model directory: one safetensors file (F32 tensors, written
 * atomically) with string metadata. Reading checks that each tensor is there with the length
 * expected, failing with the file's name. Doubles are stored as float32: the methods round their
 * parameters to float32 once fitted ({@link #toFloat32}) so a reloaded model computes the same.
 */
final class StoredTensors {
    private final Path file;
    private final Map<String, String> metadata;
    private final Map<String, float[]> tensors;

    private StoredTensors(Path file, Map<String, String> metadata, Map<String, float[]> tensors) {
        this.file = file;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    static void write(Path file, Map<String, String> metadata, List<SafeTensors.Slice> tensors) throws IOException {
        SafeTensors.write(file, tensors, metadata);
    }

    static SafeTensors.Slice slice(String name, double[] values, int... shape) {
        return new SafeTensors.Slice(name, shape, toFloats(values), 0);
    }

    static StoredTensors read(Path file) {
        try (SafeTensors.Reader r = SafeTensors.open(file)) {
            Map<String, float[]> tensors = new LinkedHashMap<>();
            for (SafeTensors.Info info : r.tensors()) {
                tensors.put(info.name(), r.read(info.name()));
            }
            return new StoredTensors(file, new LinkedHashMap<>(r.metadata()), tensors);
        } catch (IOException | RuntimeException e) {
            throw new UserException(file + ": cannot read the method's parameters (" + e.getMessage() + ")", e);
        }
    }

    /** Tensor {@code name} as doubles; it must have {@code length} values. */
    double[] doubles(String name, int length) {
        float[] v = floats(name, length);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    float[] floats(String name, int length) {
        float[] v = tensors.get(name);
        if (v == null || v.length != length) {
            throw new UserException(file + ": expected a tensor '" + name + "' of " + length + " values, found "
                    + (v == null ? "none" : v.length + " values"));
        }
        return v;
    }

    String meta(String key) {
        String v = metadata.get(key);
        if (v == null) {
            throw new UserException(file + ": metadata '" + key + "' is missing");
        }
        return v;
    }

    int intMeta(String key) {
        try {
            return Integer.parseInt(meta(key));
        } catch (NumberFormatException e) {
            throw new UserException(file + ": metadata '" + key + "' is not an integer: " + metadata.get(key), e);
        }
    }

    double doubleMeta(String key) {
        try {
            return Double.parseDouble(meta(key));
        } catch (NumberFormatException e) {
            throw new UserException(file + ": metadata '" + key + "' is not a number: " + metadata.get(key), e);
        }
    }

    /** Rounds every value to the nearest float32 in place: what saving and loading will give back. */
    static double[] toFloat32(double[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) values[i];
        }
        return values;
    }

    private static float[] toFloats(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }
}
