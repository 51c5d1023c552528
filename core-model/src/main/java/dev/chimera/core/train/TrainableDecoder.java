package dev.chimera.core.train;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.model.Parameters;
import java.util.HashMap;
import java.util.Map;

/** A {@link Decoder} as a {@link TrainableModel}: its training buffers made once for each (batch, T) it meets. */
public final class TrainableDecoder implements TrainableModel {
    private final Decoder decoder;
    private final Map<Long, Decoder.Training> buffers = new HashMap<>();

    public TrainableDecoder(Decoder decoder) {
        this.decoder = decoder;
    }

    public Decoder decoder() {
        return decoder;
    }

    @Override
    public Parameters parameters() {
        return decoder.parameters();
    }

    @Override
    public Backend backend() {
        return decoder.backend();
    }

    @Override
    public double forward(Batch batch) {
        return decoder.forward(batch.inputs(), batch.targets(), buffersFor(batch));
    }

    @Override
    public void backward(Batch batch) {
        decoder.backward(batch.inputs(), batch.targets(), buffersFor(batch));
    }

    private Decoder.Training buffersFor(Batch batch) {
        int b = batch.inputs().batch();
        int t = batch.inputs().seqlen();
        return buffers.computeIfAbsent(((long) b << 32) | t, k -> decoder.new Training(b, t));
    }
}
