package dev.chimera.runtime;

import dev.chimera.core.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --config} option of commands that build a model: a preset name or a model config JSON
 * file. The option may be omitted (the {@code small} preset); {@link #given} tells, for commands
 * that take the config a run recorded when none is given (a resumed pretraining run).
 */
public final class ConfigOption {
    /** The presets {@link ModelConfig#preset} knows, and the one taken when the option is omitted. */
    private static final List<String> PRESETS = List.of("tiny", "small");
    private static final String DEFAULT = "small";

    @Option(names = "--config", paramLabel = "tiny|small|FILE.json",
            description = "Model preset or config JSON file (default: " + DEFAULT + ").")
    String config;

    /** The preset name or file as given, or the default preset's name. */
    public String name() {
        return config == null ? DEFAULT : config;
    }

    /** Whether the option was given. */
    public boolean given() {
        return config != null;
    }

    /** Whether {@link #name} is a preset rather than a file. */
    public boolean preset() {
        return isPreset(name());
    }

    /** Whether {@code name} is a preset's name rather than a file. */
    public static boolean isPreset(String name) {
        return PRESETS.contains(name);
    }

    /**
     * The preset, or the file read and validated. A file that is missing, unreadable, not JSON or
     * not a valid config is the user's to fix: a {@link UserException} naming it.
     */
    public ModelConfig load() {
        return load(name());
    }

    /** The preset called {@code name}, or the config file {@code name}, as {@link #load()} reads it. */
    public static ModelConfig load(String name) {
        if (isPreset(name)) {
            return ModelConfig.preset(name);
        }
        Path file = Path.of(name);
        if (!Files.isRegularFile(file)) {
            throw new UserException("--config: '" + name + "' is neither a preset (tiny, small) nor a file");
        }
        try {
            return ModelConfig.read(file);
        } catch (IOException e) {
            throw new UserException("--config: cannot read " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            // ModelConfig's own message names the file and the field (bad JSON or an invalid value).
            throw new UserException(e.getMessage(), e);
        }
    }
}
