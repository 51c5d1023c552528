package dev.chimera.timeseries.model;

import dev.chimera.core.backend.Backend;
import dev.chimera.core.checkpoint.Checkpoint;
import dev.chimera.core.checkpoint.LoadedCheckpoint;
import dev.chimera.core.decoder.Decoder;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.runtime.RunDirectory;
import dev.chimera.runtime.UserException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A forecasting model: the hybrid decoder over segment tokens (continuous input of S values plus
 * {@link CalendarFeatures}; a regression or Fourier head over the next S values), the linear skip
 * whose residual it predicts, and the {@link TsSettings} it was trained with. On disk it is a
 * Chimera run directory whose trainer.json says {@code task = ts-forecast}, with the skip's
 * weights beside the checkpoints.
 */
public final class TsModel {
    public static final String TASK_KEY = RunDirectory.TASK_KEY;
    public static final String TASK = "ts-forecast";

    private final Path directory;
    private final Decoder decoder;
    private final TsSettings settings;
    private final LinearSkip skip;

    public TsModel(Path directory, Decoder decoder, TsSettings settings, LinearSkip skip) {
        this.directory = directory;
        this.decoder = decoder;
        this.settings = settings;
        this.skip = skip;
        if (settings.skip() != (skip != null)) {
            throw new IllegalArgumentException("settings say skip " + settings.skip() + " but a skip is "
                    + (skip == null ? "missing" : "given"));
        }
    }

    /** The info every checkpoint of a forecasting run records. */
    public static Map<String, String> info(TsSettings settings) {
        Map<String, String> info = new LinkedHashMap<>();
        info.put(TASK_KEY, TASK);
        info.putAll(settings.toInfo());
        return info;
    }

    /** Opens a run or step directory holding a forecasting model; a one-line error names what is wrong. */
    public static TsModel open(Path directory, Backend backend) throws IOException {
        LoadedCheckpoint loaded = RunDirectory.openModel(directory, TASK, "a forecasting model");
        Map<String, String> info = loaded.trainerState().info();
        TsSettings settings;
        try {
            settings = TsSettings.fromInfo(info);
        } catch (IllegalArgumentException e) {
            throw new UserException("--model " + directory + ": " + e.getMessage(), e);
        }
        ModelConfig config = loaded.config();
        int inputs = config.input().integer("dim", -1);
        if (inputs != settings.tokenWidth()) {
            throw new UserException("--model " + directory + ": its input takes " + inputs + " values per token, this "
                    + "build makes " + settings.tokenWidth() + " (" + settings.segment() + " points + "
                    + CalendarFeatures.COUNT + " calendar features); retrain it with this build's 'ts train'");
        }
        Decoder decoder = new Decoder(config, settings.context() + maxRolls(settings), backend);
        loaded.restoreInto(decoder.parameters());
        Path runDir = Checkpoint.latest(directory).isPresent() ? directory : directory.getParent();
        LinearSkip skip = settings.skip() ? LinearSkip.load(runDir, settings.lookback(), settings.segment()) : null;
        return new TsModel(directory, decoder, settings, skip);
    }

    /** Positions a state may take beyond the training context: the rolls of the longest forecast made at once. */
    static int maxRolls(TsSettings s) {
        return s.context();
    }

    public Path directory() {
        return directory;
    }

    public Decoder decoder() {
        return decoder;
    }

    public TsSettings settings() {
        return settings;
    }

    /** The linear path, or null when the decoder predicts the values themselves. */
    public LinearSkip skip() {
        return skip;
    }

    /** Buffers to forecast up to {@code maxBatch} sequences at a time. */
    public Rollout rollout(int maxBatch) {
        return new Rollout(this, maxBatch);
    }
}
