package dev.chimera.cuda;

import java.util.List;

/**
 * A kernel's name and parameter kinds as the Java side launches it. The PTX of its family must have
 * an entry of this name with exactly these parameter types ({@code PtxEntriesTest} checks every
 * declared signature against the built PTX), and a launch checks its arguments against it, so a
 * mismatch between a {@code .cu} file and its launcher fails here, on any machine, not on a GPU.
 */
public record KernelSignature(String name, List<ParamKind> params) {

    public KernelSignature {
        params = List.copyOf(params);
    }

    /** A signature from its name and parameter kinds in order. */
    public static KernelSignature of(String name, ParamKind... params) {
        return new KernelSignature(name, List.of(params));
    }

    /**
     * Fails unless {@code args} fit the parameters: a {@link DevicePointer} (or {@link DeviceBuffer})
     * for {@link ParamKind#PTR}, an {@link Integer} for {@link ParamKind#I32}, a {@link Float} for
     * {@link ParamKind#F32}.
     */
    public void check(Object... args) {
        if (args.length != params.size()) {
            throw new IllegalArgumentException(name + " takes " + params.size() + " arguments, got " + args.length);
        }
        for (int i = 0; i < args.length; i++) {
            ParamKind kind = params.get(i);
            Object a = args[i];
            boolean fits = switch (kind) {
                case PTR -> a instanceof DevicePointer || a instanceof DeviceBuffer;
                case I32 -> a instanceof Integer;
                case F32 -> a instanceof Float;
            };
            if (!fits) {
                throw new IllegalArgumentException(name + " argument " + i + " must be " + kind + ", got "
                        + (a == null ? "null" : a.getClass().getSimpleName()));
            }
        }
    }
}
