package dev.chimera.cuda;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The resource usage {@code ptxas -v} reported for every kernel and architecture when the kernels were
 * built ({@code ptxas-report.txt} beside them): registers per thread, static shared memory and spills.
 */
public final class PtxasReport {
    private static final Pattern ENTRY = Pattern.compile("entry function '(\\w+)' for '(sm_\\d+)'");
    private static final Pattern SPILLS = Pattern.compile("(\\d+) bytes spill stores, (\\d+) bytes spill loads");
    private static final Pattern USED = Pattern.compile("Used (\\d+) registers");
    private static final Pattern SMEM = Pattern.compile("(\\d+) bytes smem");

    /** One kernel on one architecture. */
    public record Usage(String kernel, String arch, int registers, int sharedBytes, int spillStores, int spillLoads) {
        public boolean spills() {
            return spillStores > 0 || spillLoads > 0;
        }
    }

    private PtxasReport() {
    }

    /** Every kernel's usage in the report, in its order. */
    public static List<Usage> parse(String report) {
        List<Usage> out = new ArrayList<>();
        String kernel = null;
        String arch = null;
        int stores = 0;
        int loads = 0;
        for (String line : report.split("\n")) {
            Matcher m = ENTRY.matcher(line);
            if (m.find()) {
                kernel = m.group(1);
                arch = m.group(2);
                stores = 0;
                loads = 0;
                continue;
            }
            m = SPILLS.matcher(line);
            if (m.find()) {
                stores = Integer.parseInt(m.group(1));
                loads = Integer.parseInt(m.group(2));
                continue;
            }
            m = USED.matcher(line);
            if (m.find() && kernel != null) {
                Matcher s = SMEM.matcher(line);
                int shared = s.find() ? Integer.parseInt(s.group(1)) : 0;
                out.add(new Usage(kernel, arch, Integer.parseInt(m.group(1)), shared, stores, loads));
                kernel = null;
            }
        }
        return out;
    }
}
