package dev.chimera.runtime;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.ScalarBackend;
import dev.chimera.core.kernel.VectorBackend;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.model.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The common options: what each accepts, and that each bad value is a UserException naming the option. */
class OptionsTest {
    @TempDir
    Path dir;

    @Command(name = "probe")
    static final class Probe {
        @Mixin
        ComputeOptions compute;

        @Mixin
        JsonOption json;

        @Mixin
        ConfigOption config;
    }

    private static Probe parse(String... args) {
        Probe p = new Probe();
        new CommandLine(p).parseArgs(args);
        return p;
    }

    @Test
    void threadsDefaultToTheCoresAndMustBePositive() {
        assertEquals(Runtime.getRuntime().availableProcessors(), parse().compute.threads());
        assertEquals(3, parse("--threads", "3").compute.threads());
        UserException e = assertThrows(UserException.class, () -> parse("--threads", "0").compute.threads());
        assertEquals("--threads must be >= 1, got 0", e.getMessage());
    }

    @Test
    void theDeviceNamesABackendAndOthersNameTheChoices() {
        try (ComputePool pool = new ComputePool(1)) {
            assertTrue(parse().compute.backend(pool) instanceof VectorBackend, "cpu is the default");
            assertTrue(parse("--device", "cpu-scalar").compute.backend(pool) instanceof ScalarBackend);
        }
        UserException e = assertThrows(UserException.class, () -> parse("--device", "cuda").compute.threads());
        assertEquals("--device must be one of cpu, cpu-scalar, got 'cuda'", e.getMessage());
    }

    @Test
    void jsonIsOff() {
        assertFalse(parse().json.enabled());
        assertTrue(parse("--json").json.enabled());
    }

    @Test
    void configIsAPresetOrAFileAndEveryBadFileIsAUserError() throws IOException {
        Probe omitted = parse();
        assertFalse(omitted.config.given());
        assertEquals("small", omitted.config.name());
        assertEquals(ModelConfig.small(), omitted.config.load());
        assertEquals(ModelConfig.tiny(), parse("--config", "tiny").config.load());

        Path good = dir.resolve("good.json");
        ModelConfig.tiny().write(good);
        Probe file = parse("--config", good.toString());
        assertTrue(file.config.given());
        assertFalse(file.config.preset());
        assertEquals(ModelConfig.tiny(), file.config.load());

        UserException missing = assertThrows(UserException.class,
                () -> parse("--config", dir.resolve("none.json").toString()).config.load());
        assertTrue(missing.getMessage().contains("is neither a preset (tiny, small) nor a file"), missing.getMessage());

        Path notJson = Files.writeString(dir.resolve("bad.json"), "{ not json");
        UserException syntax = assertThrows(UserException.class, () -> parse("--config", notJson.toString()).config.load());
        assertTrue(syntax.getMessage().startsWith(notJson + ": not valid JSON"), syntax.getMessage());

        Path invalid = Files.writeString(dir.resolve("invalid.json"), ModelConfig.tiny().toJson()
                .replace("\"dModel\" : 16", "\"dModel\" : 0"));
        UserException value = assertThrows(UserException.class, () -> parse("--config", invalid.toString()).config.load());
        assertTrue(value.getMessage().contains("dModel: 0 must be >= 1"), value.getMessage());
    }

    @Test
    void spansAreParsedAsModelConfigParsesThem() {
        assertEquals(new ModelConfig.Span(0), InferenceSpan.span("--span", "full"));
        assertEquals(new ModelConfig.Span(64), InferenceSpan.span("--span", "window:64"));
        UserException e = assertThrows(UserException.class, () -> InferenceSpan.span("--spans", "window:0"));
        assertEquals("--spans must be full or window:W (W >= 1), got 'window:0'", e.getMessage());
        ModelConfig windowed = InferenceSpan.withSpan(ModelConfig.tiny(), new ModelConfig.Span(5));
        assertEquals("[window:5]", InferenceSpan.describe(windowed));

        assertEquals("window:64", InferenceSpan.parse(" Window:64 ").toString());
        assertEquals("context", InferenceSpan.parse("context").toString());
        UserException bad = assertThrows(UserException.class, () -> InferenceSpan.parse("window:x"));
        assertTrue(bad.getMessage().contains(InferenceSpan.CHOICES), bad.getMessage());
    }
}
