package dev.chimera.core.ssd;

import static dev.chimera.core.ssd.SsdTestData.assertClose;

import dev.chimera.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The four-step chunked forward against the recurrence, over awkward lengths and group counts. */
class SsdChunkedTest {

    static List<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (int chunk : new int[] {4, 8}) {
            for (int seqlen : new int[] {1, chunk - 1, chunk, chunk + 1, 2 * chunk + 3}) {
                for (int ngroups : new int[] {1, 2, 4}) {
                    for (boolean withH0 : new boolean[] {false, true}) {
                        cases.add(Arguments.of(chunk, seqlen, ngroups, withH0));
                    }
                }
            }
        }
        return cases;
    }

    @ParameterizedTest(name = "chunk={0} seqlen={1} ngroups={2} h0={3}")
    @MethodSource("cases")
    void forwardMatchesRecurrence(int chunk, int seqlen, int ngroups, boolean withH0) {
        // nheads 4 over 1, 2 or 4 groups: heads 0-1 and 2-3 share B and C when ngroups is 2.
        SsdShape s = new SsdShape(2, seqlen, 4, 3, ngroups, 5);
        SsdTestData data = new SsdTestData(chunk * 1000L + seqlen * 10L + ngroups, s, withH0, 5.0);
        double[][] ref = data.reference();
        Tensor y = Tensor.zeros(s.xShape());
        Tensor hFinal = Tensor.zeros(s.stateShape());
        SsdChunked.forward(y, hFinal, data.x, data.dt, data.A, data.B, data.C, data.D, data.h0, chunk);
        // Both sides compute in double on the same float inputs; only the final rounding to
        // float32 separates them (half an ulp, 6e-8 relative), plus double noise far below 1e-9.
        assertClose("y", ref[0], y, 1e-9, 1.2e-7);
        assertClose("hFinal", ref[1], hFinal, 1e-9, 1.2e-7);
    }
}
