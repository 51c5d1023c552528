package dev.chimera.cuda;

/**
 * The kernel families: one {@code .cu} file each under {@code src/main/cuda}, built into
 * {@code FAMILY.ptx} and {@code FAMILY.sm_80.cubin} / {@code FAMILY.sm_90.cubin} resources, and one
 * Java class that launches them and declares their {@link KernelSignature}s as static fields.
 */
public enum KernelFamily {
    ELEMENTWISE("elementwise", "dev.chimera.cuda.kernels.ElementwiseKernels"),
    GEMM("gemm", "dev.chimera.cuda.kernels.GemmKernels"),
    ROWS("rows", "dev.chimera.cuda.kernels.RowKernels"),
    SSD("ssd", "dev.chimera.cuda.kernels.SsdKernels"),
    CONV("conv", "dev.chimera.cuda.kernels.ConvKernels"),
    ATTENTION("attention", "dev.chimera.cuda.kernels.AttentionKernels"),
    FOURIER("fourier", "dev.chimera.cuda.kernels.FourierKernels"),
    OPTIM("optim", "dev.chimera.cuda.kernels.OptimKernels"),
    BSPLINE("bspline", "dev.chimera.cuda.kernels.BsplineKernels");

    /** Where the built artefacts lie on the class path. */
    public static final String RESOURCE_DIR = "/dev/chimera/cuda/kernels/";

    private final String file;
    private final String launcherClass;

    KernelFamily(String file, String launcherClass) {
        this.file = file;
        this.launcherClass = launcherClass;
    }

    /** The source's base name: {@code gemm} for {@code gemm.cu}. */
    public String file() {
        return file;
    }

    /** The class that launches this family's kernels and declares their signatures. */
    public String launcherClass() {
        return launcherClass;
    }

    /** The PTX resource (compute_80, JIT-compiled by the driver for any later GPU). */
    public String ptxResource() {
        return RESOURCE_DIR + file + ".ptx";
    }

    /** The cubin resource for {@code sm_XY}, e.g. {@code sm = 90}. */
    public String cubinResource(int sm) {
        return RESOURCE_DIR + file + ".sm_" + sm + ".cubin";
    }
}
