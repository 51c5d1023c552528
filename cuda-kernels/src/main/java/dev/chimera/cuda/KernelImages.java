package dev.chimera.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * Which built image of a family a GPU loads: the sm_90 cubin on compute capability 9.x, the sm_80 cubin
 * on 8.x (a cubin runs on its major version's later minors), and the compute_80 PTX, compiled by the
 * driver when the module loads, on anything newer. Below 8.0 there is nothing to load (the tensor-core
 * and asynchronous-copy code needs Ampere).
 */
public final class KernelImages {

    private KernelImages() {
    }

    /** The resource a GPU of compute capability {@code major.minor} loads for {@code family}. */
    public static String resourceFor(KernelFamily family, int major, int minor) {
        if (major < 8) {
            throw new IllegalStateException("compute capability " + major + "." + minor
                    + " is older than 8.0 (Ampere), the oldest these kernels are built for");
        }
        return switch (major) {
            case 8 -> family.cubinResource(80);
            case 9 -> family.cubinResource(90);
            default -> family.ptxResource();
        };
    }

    /** The bytes of a resource; PTX text ends with the NUL the driver expects. */
    public static byte[] read(String resource) {
        try (InputStream in = KernelImages.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("kernel image " + resource + " is not on the class path"
                        + " (the cuda-kernels build packs it)");
            }
            byte[] bytes = in.readAllBytes();
            return resource.endsWith(".ptx") ? Arrays.copyOf(bytes, bytes.length + 1) : bytes;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read kernel image " + resource, e);
        }
    }
}
