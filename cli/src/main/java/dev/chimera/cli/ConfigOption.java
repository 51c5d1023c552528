package dev.chimera.cli;

import dev.chimera.core.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The {@code --config} option shared by model commands: a preset name or a model config JSON file. */
final class ConfigOption {
    @Option(names = "--config", defaultValue = "small", paramLabel = "tiny|small|FILE.json",
            description = "Model preset or config JSON file (default: ${DEFAULT-VALUE}).")
    String config;

    ModelConfig load() {
        if (config.equals("tiny") || config.equals("small")) {
            return ModelConfig.preset(config);
        }
        Path file = Path.of(config);
        if (!Files.isRegularFile(file)) {
            throw new Chimera.UserError("--config: '" + config + "' is neither a preset (tiny, small) nor a file");
        }
        try {
            return ModelConfig.read(file);
        } catch (IOException e) {
            throw new Chimera.UserError("--config: cannot read " + file + ": " + e.getMessage());
        }
    }

    /** The config with every attention layer's span replaced, or unchanged if span is null. */
    static ModelConfig withSpan(ModelConfig c, String span) {
        if (span == null) {
            return c;
        }
        return new ModelConfig(c.dModel(), c.nLayers(), c.mixerPattern(), c.mlp(), c.mlpHidden(), c.attnHeads(),
                c.kvHeads(), c.ropeBase(), List.of(span), c.dState(), c.headdim(), c.expand(), c.ngroups(), c.dConv(),
                c.chunkSize(), c.input(), c.head());
    }
}
