package dev.chimera.cuda;

/** The kinds of kernel parameter this module uses, with the PTX type each one compiles to. */
public enum ParamKind {
    /** A device pointer ({@code float*}, {@code const int*}, ...): PTX {@code .u64}. */
    PTR("u64"),
    /** An {@code int}: PTX {@code .u32}. */
    I32("u32"),
    /** A {@code float}: PTX {@code .f32}. */
    F32("f32");

    private final String ptxType;

    ParamKind(String ptxType) {
        this.ptxType = ptxType;
    }

    /** The type of this parameter in a PTX entry's parameter list, e.g. {@code u64}. */
    public String ptxType() {
        return ptxType;
    }
}
