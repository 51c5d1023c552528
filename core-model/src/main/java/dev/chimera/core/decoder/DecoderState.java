package dev.chimera.core.decoder;

import dev.chimera.core.layers.Mixer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The recurrent state of one sequence in a {@link Decoder}: per layer, the Mamba2 conv and SSM
 * states or the attention KV cache, and the number of positions consumed. It can be copied
 * (to fork sampling) and serialised to bytes and restored exactly.
 */
public final class DecoderState {
    private static final int MAGIC = 0x43484D53; // "CHMS"
    final Mixer.State[] layers;
    int position;

    DecoderState(Mixer.State[] layers) {
        this.layers = layers;
    }

    /** Positions consumed so far. */
    public int position() {
        return position;
    }

    public DecoderState copy() {
        Mixer.State[] copies = new Mixer.State[layers.length];
        for (int i = 0; i < layers.length; i++) {
            copies[i] = layers[i].copy();
        }
        DecoderState s = new DecoderState(copies);
        s.position = position;
        return s;
    }

    /**
     * Makes this state equal to {@code other}, a state of the same decoder made with the same
     * capacity, without allocating: restoring a snapshot into a state that is in use.
     */
    public void copyFrom(DecoderState other) {
        if (other.layers.length != layers.length) {
            throw new IllegalArgumentException("a state of " + other.layers.length + " layers cannot be copied into one of "
                    + layers.length);
        }
        for (int i = 0; i < layers.length; i++) {
            layers[i].copyFrom(other.layers[i]);
        }
        position = other.position;
    }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(layers.length);
            out.writeInt(position);
            for (Mixer.State layer : layers) {
                layer.write(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Restores bytes written by {@link #toBytes()} into this state, in place: it must come from the
     * same decoder, made with the same capacity. Bytes that fail to read (truncated, corrupt, of
     * another decoder) leave the state part-restored: discard it, or restore it again.
     */
    public void readBytes(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a serialised decoder state (bad magic number)");
            }
            int n = in.readInt();
            if (n != layers.length) {
                throw new IllegalArgumentException("serialised state has " + n + " layers, this decoder has "
                        + layers.length);
            }
            position = in.readInt();
            for (Mixer.State layer : layers) {
                layer.read(in);
            }
            if (in.read() != -1) {
                throw new IllegalArgumentException("serialised decoder state has trailing bytes");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("serialised decoder state is truncated or corrupt: " + e.getMessage(), e);
        }
    }
}
