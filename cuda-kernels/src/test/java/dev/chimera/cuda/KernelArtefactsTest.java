package dev.chimera.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The built kernels on any machine, GPU or not: every family's PTX and both cubins are on the class
 * path; every signature a launcher declares is an entry of its family's PTX with the same parameter
 * types, and every entry has a launcher; ptxas reported every kernel on both architectures, with no
 * spills and static shared memory within 48 KiB.
 */
class KernelArtefactsTest {

    @Test
    void everyFamilyHasPtxAndCubinsForBothArchitectures() {
        for (KernelFamily f : KernelFamily.values()) {
            String ptx = text(f.ptxResource());
            assertTrue(ptx.contains(".target sm_80"), f + " PTX is not for compute_80");
            for (int sm : new int[] {80, 90}) {
                byte[] cubin = bytes(f.cubinResource(sm));
                assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, Arrays.copyOf(cubin, 4),
                        f.cubinResource(sm) + " is not an ELF cubin");
            }
        }
    }

    @Test
    void launcherSignaturesMatchThePtxEntriesOneForOne() throws Exception {
        List<String> problems = new ArrayList<>();
        for (KernelFamily f : KernelFamily.values()) {
            Map<String, List<String>> entries = PtxEntries.parse(text(f.ptxResource()));
            Set<String> launched = new HashSet<>();
            for (KernelSignature s : signatures(f)) {
                String m = PtxEntries.mismatch(entries, s);
                if (m != null) {
                    problems.add(f + ": " + m);
                }
                launched.add(s.name());
            }
            for (String entry : entries.keySet()) {
                if (!launched.contains(entry)) {
                    problems.add(f + ": kernel " + entry + " has no launcher signature");
                }
            }
            assertFalse(entries.isEmpty(), f + " has no kernels");
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void ptxasReportsEveryKernelOnBothArchitecturesWithoutSpills() {
        List<PtxasReport.Usage> usages = PtxasReport.parse(text(KernelFamily.RESOURCE_DIR + "ptxas-report.txt"));
        Set<String> reported = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (PtxasReport.Usage u : usages) {
            reported.add(u.kernel() + "@" + u.arch());
            if (u.spills()) {
                problems.add(u.kernel() + " on " + u.arch() + " spills " + u.spillStores() + " B stored, "
                        + u.spillLoads() + " B loaded");
            }
            if (u.sharedBytes() > LaunchGeometry.MAX_SHARED_BYTES) {
                problems.add(u.kernel() + " on " + u.arch() + " uses " + u.sharedBytes() + " B of static shared memory");
            }
        }
        for (KernelFamily f : KernelFamily.values()) {
            for (String entry : PtxEntries.parse(text(f.ptxResource())).keySet()) {
                for (String arch : new String[] {"sm_80", "sm_90"}) {
                    if (!reported.contains(entry + "@" + arch)) {
                        problems.add("ptxas reported nothing for " + entry + " on " + arch);
                    }
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    @Test
    void imageChoiceFollowsComputeCapability() {
        assertEquals(KernelFamily.GEMM.cubinResource(80), KernelImages.resourceFor(KernelFamily.GEMM, 8, 0));
        assertEquals(KernelFamily.GEMM.cubinResource(80), KernelImages.resourceFor(KernelFamily.GEMM, 8, 9));
        assertEquals(KernelFamily.GEMM.cubinResource(90), KernelImages.resourceFor(KernelFamily.GEMM, 9, 0));
        assertEquals(KernelFamily.GEMM.ptxResource(), KernelImages.resourceFor(KernelFamily.GEMM, 10, 0));
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> KernelImages.resourceFor(KernelFamily.GEMM, 7, 5));
        assertTrue(e.getMessage().contains("7.5"), e.getMessage());
        byte[] ptx = KernelImages.read(KernelFamily.ELEMENTWISE.ptxResource());
        assertEquals(0, ptx[ptx.length - 1], "PTX handed to the driver ends with NUL");
    }

    /** The static KernelSignature fields of a family's launcher. */
    static List<KernelSignature> signatures(KernelFamily f) throws ReflectiveOperationException {
        List<KernelSignature> out = new ArrayList<>();
        for (Field field : Class.forName(f.launcherClass()).getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == KernelSignature.class) {
                field.setAccessible(true);
                out.add((KernelSignature) field.get(null));
            }
        }
        return out;
    }

    static String text(String resource) {
        return new String(bytes(resource), StandardCharsets.US_ASCII);
    }

    static byte[] bytes(String resource) {
        try (InputStream in = KernelArtefactsTest.class.getResourceAsStream(resource)) {
            assertTrue(in != null, resource + " is not on the class path");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
