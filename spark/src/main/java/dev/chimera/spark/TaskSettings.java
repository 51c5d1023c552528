package dev.chimera.spark;

import dev.chimera.genomics.Embedder;
import dev.chimera.genomics.NucleotideTokenizer.OnInvalid;
import java.io.Serializable;

/**
 * What every task needs to run the model as the driver checked it: small, serialisable, and the
 * same on every executor. The model is named by its absolute path, which every executor must see
 * (a shared or copied folder), as the inputs must be.
 *
 * @param kind      score or embed
 * @param pooling   embed only ({@code dna embed --pooling}); null for score
 * @param model     the model's run or step directory, absolute
 * @param span      {@code --span} as text (context, trained, full, window:W)
 * @param maxLength {@code --max-length}
 * @param chunk     {@code --chunk}: positions per prefill window
 * @param threads   compute threads of each task
 * @param device    {@code --device}
 * @param onInvalid {@code --on-invalid}
 * @param centre    centred pooling: the centre the driver computed once for the run (dModel
 *                  floats); null before then and for the other poolings. Being an array, it makes
 *                  the record's equals an identity test: nothing keys on settings.
 */
record TaskSettings(Kind kind, Embedder.Pooling pooling, String model, String span, int maxLength, int chunk,
                    int threads, String device, OnInvalid onInvalid, float[] centre) implements Serializable {

    /** The two jobs, after the commands they scale out. */
    enum Kind {
        SCORE("score"), EMBED("embed");

        final String command;

        Kind(String command) {
            this.command = command;
        }
    }

    /** These settings with the run's centre, for the tasks. */
    TaskSettings withCentre(float[] c) {
        return new TaskSettings(kind, pooling, model, span, maxLength, chunk, threads, device, onInvalid, c);
    }
}
