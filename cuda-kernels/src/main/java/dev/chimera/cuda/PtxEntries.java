package dev.chimera.cuda;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel entries of a PTX module with their parameter types ({@code .visible .entry name(.param
 * .u64 name_param_0, ...)}): what a launcher's {@link KernelSignature} is checked against.
 */
public final class PtxEntries {
    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)", Pattern.DOTALL);
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(\\w+)\\s+\\w+");

    private PtxEntries() {
    }

    /** Entry name to its parameters' PTX types ({@code u64}, {@code u32}, {@code f32}), in file order. */
    public static Map<String, List<String>> parse(String ptx) {
        Map<String, List<String>> entries = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            List<String> types = new ArrayList<>();
            Matcher p = PARAM.matcher(m.group(2));
            while (p.find()) {
                types.add(p.group(1));
            }
            entries.put(m.group(1), types);
        }
        return entries;
    }

    /** Null where {@code signature} matches an entry of {@code entries}, else what is wrong, in one line. */
    public static String mismatch(Map<String, List<String>> entries, KernelSignature signature) {
        List<String> types = entries.get(signature.name());
        if (types == null) {
            return "no entry " + signature.name() + " in the PTX";
        }
        List<String> expected = signature.params().stream().map(ParamKind::ptxType).toList();
        return types.equals(expected) ? null
                : signature.name() + ": the PTX takes " + types + ", the launcher passes " + expected;
    }
}
