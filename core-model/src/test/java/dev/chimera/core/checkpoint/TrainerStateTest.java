package dev.chimera.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainerStateTest {

    @Test
    void roundTripsThroughJsonKeepingInfoOrder() throws CheckpointException {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("z", "last key first");
        info.put("a", "ünïcode \"quoted\"\n");
        TrainerState s = new TrainerState(123, -9, "adamw", info);
        TrainerState back = TrainerState.fromJson(s.toJson(), "trainer.json");
        assertEquals(s, back);
        assertEquals(List.of("z", "a"), List.copyOf(back.info().keySet()));
        assertEquals(new TrainerState(0, 1, null, null), TrainerState.fromJson(
                new TrainerState(0, 1, null, null).toJson(), "t"));
    }

    @Test
    void rejectsMalformedFilesNamingThem() {
        String[][] cases = {
            {"{", "f.json: not valid JSON"},
            {"[]", "f.json: expected a JSON object"},
            {"{\"step\":1,\"seed\":2,\"optimizer\":null,\"info\":{},\"extra\":1}", "f.json: unknown field 'extra'"},
            {"{\"step\":\"1\",\"seed\":2,\"optimizer\":null,\"info\":{}}", "f.json: 'step' must be an integer"},
            {"{\"step\":1,\"optimizer\":null,\"info\":{}}", "f.json: 'seed' must be an integer"},
            {"{\"step\":1,\"seed\":2,\"optimizer\":3,\"info\":{}}", "f.json: 'optimizer' must be a string or null"},
            {"{\"step\":1,\"seed\":2,\"optimizer\":null,\"info\":{\"k\":1}}", "f.json: info 'k' is 1, not a string"},
            {"{\"step\":-1,\"seed\":2,\"optimizer\":null,\"info\":{}}", "f.json: trainer state: step must be >= 0"},
        };
        for (String[] c : cases) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> TrainerState.fromJson(c[0], "f.json"),
                    c[0]);
            assertEquals(true, e.getMessage().startsWith(c[1]), e.getMessage());
        }
    }
}
