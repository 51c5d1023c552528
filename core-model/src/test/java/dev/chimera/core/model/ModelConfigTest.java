package dev.chimera.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelConfigTest {

    @Test
    void presetsRoundTripThroughJson() {
        for (ModelConfig c : List.of(ModelConfig.tiny(), ModelConfig.small())) {
            assertEquals(c, ModelConfig.fromJson(c.toJson(), "test"));
        }
    }

    @Test
    void smallPresetHasThePublishedShape() {
        ModelConfig s = ModelConfig.small();
        assertEquals(256, s.dModel());
        assertEquals("MMMMMMMA", s.layerMixers());
        assertEquals(512, s.dInner());
        assertEquals(8, s.mambaHeads());
        assertEquals(512 + 2 * 64, s.convDim());
        assertEquals(64, s.attnHeadDim());
        assertEquals(List.of(new ModelConfig.Span(0)), s.spans());
        assertTrue(s.isAttention(7));
        assertTrue(!s.isAttention(6));
    }

    @Test
    void patternRepeatsAndSpansAreParsedPerAttentionLayer() {
        ModelConfig c = new ModelConfig(32, 6, "MA", ModelConfig.MlpKind.RELU, 64, 2, 2, 10_000,
                List.of("full", "window:128", "window:16"), 4, 8, 2, 1, 4, 16,
                ModelConfig.Input.continuous(3, ModelConfig.AdapterKind.MLP), ModelConfig.Head.fourier(50, 8, 3));
        assertEquals("MAMAMA", c.layerMixers());
        assertEquals(List.of(new ModelConfig.Span(0), new ModelConfig.Span(128), new ModelConfig.Span(16)), c.spans());
        assertEquals(c, ModelConfig.fromJson(c.toJson(), "test"));
    }

    private static String reject(String json) {
        return assertThrows(IllegalArgumentException.class, () -> ModelConfig.fromJson(json, "cfg.json")).getMessage();
    }

    private static String tinyJsonWith(String field, String value) {
        String json = ModelConfig.tiny().toJson();
        String replaced = json.replaceFirst("\"" + field + "\" : [^,\\n]+", "\"" + field + "\" : " + value);
        assertTrue(!replaced.equals(json), "field " + field + " not found in " + json);
        return replaced;
    }

    @Test
    void validationNamesTheFieldAndTheReason() {
        String m = reject(tinyJsonWith("headdim", "5"));
        assertTrue(m.startsWith("cfg.json: model config: headdim: dModel*expand = 32 is not divisible by headdim 5"), m);
        m = reject(tinyJsonWith("mixerPattern", "\"MXA\""));
        assertTrue(m.contains("mixerPattern: 'MXA' must be a non-empty string over M and A"), m);
        m = reject(tinyJsonWith("kvHeads", "3"));
        assertTrue(m.contains("attnHeads: 2 is not divisible by kvHeads 3"), m);
        m = reject(tinyJsonWith("dModel", "0"));
        assertTrue(m.contains("dModel: 0 must be >= 1"), m);
        m = reject(tinyJsonWith("attnSpans", "[ \"window:0\" ]"));
        assertTrue(m.contains("attnSpans[0]: 'window:0' is not 'full' or 'window:W' with W >= 1"), m);
        m = reject(tinyJsonWith("mlp", "\"gelu\""));
        assertTrue(m.startsWith("cfg.json: "), m);
    }

    @Test
    void tiedHeadNeedsMatchingTokenVocabulary() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ModelConfig(16, 2, "MA",
                ModelConfig.MlpKind.SWIGLU, 24, 2, 1, 10_000, List.of("full"), 4, 8, 2, 1, 4, 4,
                ModelConfig.Input.tokens(8), ModelConfig.Head.softmax(9, true)));
        assertTrue(e.getMessage().contains("head.tied"), e.getMessage());
    }

    @Test
    void unknownFieldsAndBrokenJsonAreRejectedWithTheSource() {
        String m = reject(ModelConfig.tiny().toJson().replaceFirst("\\{", "{ \"dmodel\" : 3,"));
        assertTrue(m.startsWith("cfg.json: ") && m.contains("dmodel"), m);
        m = reject("{ not json");
        assertTrue(m.startsWith("cfg.json: not valid JSON"), m);
    }
}
