package dev.chimera.core.model;

import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All parameters of a model in one flat float array, their gradients in a second array of the
 * same layout, each tensor reached by name (DESIGN: "a few flat arrays with named offsets"), so
 * zeroing gradients, checkpointing and device transfers are single operations.
 *
 * <p>Names are dotted paths such as {@code layers.3.mixer.in_proj.weight}; they are the tensor
 * names written to checkpoints. Whether weight decay applies is recorded per tensor (norms,
 * biases, {@code A_log}, {@code D} and {@code dt_bias} take none).
 */
public final class Parameters {

    /** One named tensor: where it lives in the flat arrays and whether weight decay applies. */
    public static final class Entry {
        private final String name;
        private final int offset;
        private final int[] shape;
        private final int size;
        private final boolean decay;

        Entry(String name, int offset, int[] shape, boolean decay) {
            this.name = name;
            this.offset = offset;
            this.shape = shape.clone();
            this.size = Arrays.stream(shape).reduce(1, Math::multiplyExact);
            this.decay = decay;
        }

        public String name() {
            return name;
        }

        public int offset() {
            return offset;
        }

        public int[] shape() {
            return shape.clone();
        }

        public int size() {
            return size;
        }

        public boolean decay() {
            return decay;
        }
    }

    /** Collects tensor declarations in order; {@link #build()} allocates the flat arrays once. */
    public static final class Builder {
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private long total;

        /** Declares a tensor; names must be unique. */
        public Builder add(String name, boolean decay, int... shape) {
            if (entries.containsKey(name)) {
                throw new IllegalArgumentException("parameter '" + name + "' declared twice");
            }
            for (int d : shape) {
                if (d < 1) {
                    throw new IllegalArgumentException("parameter '" + name + "' has a non-positive dimension in "
                            + Tensor.shapeString(shape));
                }
            }
            Entry e = new Entry(name, (int) total, shape, decay);
            total += e.size;
            if (total > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("parameters exceed 2^31 floats at '" + name + "'");
            }
            entries.put(name, e);
            return this;
        }

        public Parameters build() {
            return new Parameters(new ArrayList<>(entries.values()), (int) total);
        }
    }

    private final List<Entry> entries;
    private final Map<String, Entry> byName = new LinkedHashMap<>();
    private final float[] values;
    private final float[] grads;
    private final Tensor flatValues;
    private final Tensor flatGrads;

    private Parameters(List<Entry> entries, int total) {
        this.entries = Collections.unmodifiableList(entries);
        for (Entry e : entries) {
            byName.put(e.name, e);
        }
        this.values = new float[total];
        this.grads = new float[total];
        this.flatValues = Tensor.of(values, total);
        this.flatGrads = Tensor.of(grads, total);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Declaration order, which is also the checkpoint order. */
    public List<Entry> entries() {
        return entries;
    }

    public Entry entry(String name) {
        Entry e = byName.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no parameter named '" + name + "'");
        }
        return e;
    }

    /** The parameter's values as a view into the flat array. */
    public Tensor value(String name) {
        Entry e = entry(name);
        return Tensor.wrap(values, e.offset, e.shape);
    }

    /** The parameter's gradient as a view into the flat gradient array. */
    public Tensor grad(String name) {
        Entry e = entry(name);
        return Tensor.wrap(grads, e.offset, e.shape);
    }

    /** Total number of parameters. */
    public int size() {
        return values.length;
    }

    public float[] values() {
        return values;
    }

    public float[] grads() {
        return grads;
    }

    /** All values as one rank-1 tensor, for whole-model operations (an optimiser step, a norm). */
    public Tensor flatValues() {
        return flatValues;
    }

    /** All gradients as one rank-1 tensor. */
    public Tensor flatGrads() {
        return flatGrads;
    }

    /** Entry e's values as a rank-1 view of {@link #flatValues()}. */
    public Tensor values(Entry e) {
        return flatValues.slice(e.offset, e.offset + e.size);
    }

    /** Entry e's gradient as a rank-1 view of {@link #flatGrads()}. */
    public Tensor grads(Entry e) {
        return flatGrads.slice(e.offset, e.offset + e.size);
    }

    public void zeroGrads() {
        Arrays.fill(grads, 0f);
    }
}
