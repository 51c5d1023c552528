package dev.chimera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The probe on whatever machine runs the tests: a GPU described, or a one-line reason and a clean refusal. */
class GpuProbeTest {

    @Test
    void probeGivesAGpuOrAOneLineReason() {
        if (Gpu.available()) {
            assertNull(Gpu.reason());
            assertNotNull(Gpu.info());
            assertTrue(Gpu.info().major() >= 8, Gpu.describe());
            assertTrue(Gpu.describe().startsWith("GPU: "), Gpu.describe());
        } else {
            System.err.println("[gpu] " + Gpu.describe());
            assertNull(Gpu.info());
            String reason = Gpu.reason();
            assertNotNull(reason);
            assertFalse(reason.isBlank());
            assertFalse(reason.contains("\n"), reason);
            assertEquals("no GPU: " + reason, Gpu.describe());
            IllegalStateException e = assertThrows(IllegalStateException.class, CudaDevice::open);
            assertEquals("no GPU: " + reason, e.getMessage());
        }
    }

    @Test
    void aMissingDriverIsNamedInOneLine() {
        String jcuda = "Error while loading native library \"JCudaDriver-12.6.0-linux-x86_64\"\nOperating system name: Linux\n"
                + "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open"
                + " shared object file: No such file or directory\n";
        assertEquals("the NVIDIA driver's libcuda.so.1 is not installed", Gpu.linkFailure(jcuda));
        assertEquals("JCuda's driver binding did not load: something else", Gpu.linkFailure("something else\nmore"));
    }

    @Test
    void bandwidthFromMemoryClockAndBus() {
        // An H100 SXM: HBM3 at 2,619 MHz on a 5,120-bit bus: 3.35 TB/s.
        GpuInfo h100 = new GpuInfo("H100", 9, 0, 80L << 30, 13000, 132, 1_980_000, 2_619_000, 5120);
        assertEquals(3352.3, h100.peakBandwidthGbs(), 0.1);
        assertTrue(h100.describe().startsWith("H100 (sm_90, 80.0 GiB, driver 13.0, 132 SMs)"), h100.describe());
    }
}
