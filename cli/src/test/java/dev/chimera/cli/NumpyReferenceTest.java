package dev.chimera.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Which OpenBLAS kernel the GEMM reference runs for the JVM's vector width and the CPU. */
class NumpyReferenceTest {
    @Test
    void coretypeFollowsTheVectorsTheJvmRuns() {
        assertEquals("SkylakeX", NumpyReference.coretypeFor(16, true), "512-bit vectors: the AVX-512 kernel");
        assertEquals("Haswell", NumpyReference.coretypeFor(8, true),
                "256-bit vectors on an AVX-512 CPU (-XX:UseAVX=2): the AVX2 kernel");
        assertEquals(NumpyReference.OWN_CHOICE, NumpyReference.coretypeFor(8, false),
                "an AVX2-only CPU: OpenBLAS's own choice is already its AVX2 kernel");
        assertEquals(NumpyReference.OWN_CHOICE, NumpyReference.coretypeFor(16, false), "not an x86 AVX-512 CPU");
        assertEquals(NumpyReference.OWN_CHOICE, NumpyReference.coretypeFor(4, true), "128-bit vectors");
    }
}
