package dev.chimera.core.eval.fourier;

import dev.chimera.core.decoder.Inputs;
import dev.chimera.core.layers.Targets;
import dev.chimera.core.tensor.Tensor;
import dev.chimera.core.train.Batch;
import dev.chimera.core.train.DataSource;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The synthetic experiment's minibatches as a {@link DataSource}: epochs of the training rows in
 * an order reshuffled every epoch (as the reference's DataLoader with shuffle=True), cut into
 * batches of {@code batchSize} with a smaller last one. Batch {@code index} is batch
 * {@code index % batchesPerEpoch} of epoch {@code index / batchesPerEpoch}; the epoch orders come
 * from one generator used in sequence, replayed from its seed when an earlier epoch is asked for,
 * so a batch depends only on its index.
 */
final class ToyBatches implements DataSource {
    private final ToyData data;
    private final int batchSize;
    private final Supplier<SplittableRandom> shuffleSeed;
    private final int batchesPerEpoch;
    private SplittableRandom shuffle;
    private int[] order;
    private long epoch = -1;

    /** {@code shuffleSeed} gives a fresh generator in its initial state each time it is called. */
    ToyBatches(ToyData data, int batchSize, Supplier<SplittableRandom> shuffleSeed) {
        this.data = data;
        this.batchSize = Math.min(batchSize, data.trainRows);
        this.shuffleSeed = shuffleSeed;
        this.batchesPerEpoch = (data.trainRows + this.batchSize - 1) / this.batchSize;
    }

    int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    @Override
    public Batch batch(long index) {
        orderOfEpoch(index / batchesPerEpoch);
        int from = (int) (index % batchesPerEpoch) * batchSize;
        int rows = Math.min(batchSize, data.trainRows - from);
        float[] input = new float[rows * 2];
        int[] targets = new int[rows];
        for (int r = 0; r < rows; r++) {
            int i = order[from + r];
            input[2 * r] = data.trainInput[2 * i];
            input[2 * r + 1] = data.trainInput[2 * i + 1];
            targets[r] = data.trainTargets[i];
        }
        return new Batch(Inputs.values(Tensor.of(input, 1, rows, 2)), Targets.tokens(targets));
    }

    /** Moves the order to epoch {@code e}'s: one shuffle per epoch after the initial permutation. */
    private void orderOfEpoch(long e) {
        if (e < epoch || order == null) {
            shuffle = shuffleSeed.get();
            order = ToyData.permutation(data.trainRows, shuffle);
            epoch = -1;
        }
        while (epoch < e) {
            ToyData.shuffle(order, shuffle);
            epoch++;
        }
    }

    @Override
    public String describe() {
        return data.trainRows + " training rows in batches of " + batchSize;
    }
}
