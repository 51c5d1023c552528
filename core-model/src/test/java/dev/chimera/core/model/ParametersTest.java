package dev.chimera.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.chimera.core.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ParametersTest {

    @Test
    void tensorsAreLaidOutInDeclarationOrderInOneArray() {
        Parameters p = Parameters.builder()
                .add("embed.weight", true, 5, 3)
                .add("norm.weight", false, 3)
                .add("head.bias", false, 5)
                .build();
        assertEquals(15 + 3 + 5, p.size());
        assertEquals(0, p.entry("embed.weight").offset());
        assertEquals(15, p.entry("norm.weight").offset());
        assertEquals(18, p.entry("head.bias").offset());
        assertFalse(p.entry("norm.weight").decay());
        assertTrue(p.entry("embed.weight").decay());

        Tensor w = p.value("norm.weight");
        w.set(2.5f, 1);
        assertEquals(2.5f, p.values()[16]);
        p.grad("head.bias").set(1f, 4);
        assertEquals(1f, p.grads()[22]);
        p.zeroGrads();
        assertArrayEquals(new float[p.size()], p.grads());
        assertArrayEquals(new int[] {5, 3}, p.value("embed.weight").shape());
    }

    @Test
    void duplicateOrUnknownNamesAndBadShapesAreRejected() {
        Parameters.Builder b = Parameters.builder().add("a", true, 2);
        assertThrows(IllegalArgumentException.class, () -> b.add("a", true, 3));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.add("z", true, 2, 0));
        assertTrue(e.getMessage().contains("(2, 0)"), e.getMessage());
        Parameters p = b.build();
        e = assertThrows(IllegalArgumentException.class, () -> p.value("b"));
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
    }
}
