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
        ModelConfig c = ModelConfig.builder().dModel(32).nLayers(6).mixerPattern("MA").mlp(ModelConfig.MlpKind.RELU)
                .mlpHidden(64).attnHeads(2).kvHeads(2).ropeBase(10_000)
                .attnSpans(List.of("full", "window:128", "window:16")).dState(4).headdim(8).expand(2).ngroups(1)
                .dConv(4).chunkSize(16).input(CoreComponents.continuous(3, "mlp"))
                .head(CoreComponents.fourier(50, 8, 3)).build();
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
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.builder()
                .dModel(16).nLayers(2).mixerPattern("MA").mlp(ModelConfig.MlpKind.SWIGLU).mlpHidden(24).attnHeads(2)
                .kvHeads(1).ropeBase(10_000).attnSpans(List.of("full")).dState(4).headdim(8).expand(2).ngroups(1)
                .dConv(4).chunkSize(4).input(CoreComponents.tokens(8)).head(CoreComponents.softmax(9, true)).build());
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
