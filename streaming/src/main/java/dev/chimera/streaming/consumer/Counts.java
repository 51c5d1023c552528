package dev.chimera.streaming.consumer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * What became of the inputs, kept in the snapshot so a restarted consumer goes on counting where the
 * state it restored stopped. Every input is exactly one of: answered by a forecast, a dead letter, or
 * one that completed no step ({@code inputs == forecasts + deadLetters + noStep}); late ones, filled
 * gaps and restarts are counted again among the latter two.
 */
public final class Counts {
    long inputs;
    long forecasts;
    long deadLetters;
    long noStep;
    long late;
    long filledPoints;
    long restarts;

    public long inputs() {
        return inputs;
    }

    public long forecasts() {
        return forecasts;
    }

    public long deadLetters() {
        return deadLetters;
    }

    /** Inputs that completed no forecast step (late ones and those before a series' first lookback included). */
    public long noStep() {
        return noStep;
    }

    /** Late-but-allowed inputs: counted, not observed. */
    public long late() {
        return late;
    }

    /** Points made up by linear interpolation over gaps of at most {@code --max-gap} steps. */
    public long filledPoints() {
        return filledPoints;
    }

    /** Series restarted after a gap longer than {@code --max-gap}. */
    public long restarts() {
        return restarts;
    }

    void write(DataOutputStream out) throws IOException {
        for (long v : new long[] {inputs, forecasts, deadLetters, noStep, late, filledPoints, restarts}) {
            out.writeLong(v);
        }
    }

    void read(DataInputStream in) throws IOException {
        inputs = in.readLong();
        forecasts = in.readLong();
        deadLetters = in.readLong();
        noStep = in.readLong();
        late = in.readLong();
        filledPoints = in.readLong();
        restarts = in.readLong();
    }
}
