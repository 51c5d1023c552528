package dev.chimera.timeseries.cli;

import dev.chimera.core.model.CoreComponents;
import dev.chimera.core.model.ModelConfig;
import dev.chimera.runtime.UserException;
import dev.chimera.timeseries.model.TsSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The forecasting trunks behind {@code --config tiny|small} (or a config JSON file), with the
 * input and head the {@link TsSettings} call for: a linear adapter over S values plus calendar
 * features, and a regression over S values or a Fourier head per value. Sequences are short (a
 * few dozen segments), so the trunks are narrow and shallow: the data, not the model's size, is
 * what limits a forecaster trained on one data set.
 */
final class TsPresets {
    /** Fourier head defaults: bins over [-range, range] of normalised residual, and frequencies. */
    static final int BINS = 128;
    static final int FREQUENCIES = 24;

    private TsPresets() {
    }

    static ModelConfig trunk(String name) {
        switch (name) {
            case "tiny":
                return base().dModel(32).nLayers(2).mixerPattern("MA").mlpHidden(64).attnHeads(2).kvHeads(1)
                        .dState(16).headdim(16).build();
            case "small":
                return base().dModel(128).nLayers(4).mixerPattern("MAMA").mlpHidden(256).attnHeads(4).kvHeads(2)
                        .dState(32).headdim(32).build();
            default:
                Path file = Path.of(name);
                if (!Files.isRegularFile(file)) {
                    throw new UserException("--config: '" + name + "' is neither a preset (tiny, small) nor a file");
                }
                try {
                    return ModelConfig.read(file);
                } catch (IOException | IllegalArgumentException e) {
                    throw new UserException("--config " + file + ": " + e.getMessage(), e);
                }
        }
    }

    private static ModelConfig.Builder base() {
        return ModelConfig.small().toBuilder().mlp(ModelConfig.MlpKind.SWIGLU).ropeBase(10_000)
                .attnSpans(List.of("full")).expand(2).ngroups(1).dConv(4).chunkSize(32);
    }

    /** The trunk with the settings' input and head. */
    static ModelConfig forSettings(ModelConfig trunk, TsSettings s) {
        return trunk.toBuilder().input(CoreComponents.continuous(s.tokenWidth(), "linear"))
                .head(s.fourier() ? CoreComponents.fourier(BINS, FREQUENCIES, s.segment())
                        : CoreComponents.regression(s.segment()))
                .build();
    }
}
