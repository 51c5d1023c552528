package dev.chimera.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The checked-in kernels (what a machine without nvcc packs) were built from the sources as they are:
 * {@code src/main/prebuilt/.../SOURCES.sha256} lists the hashes of {@code build.sh}, the {@code .cu}
 * and {@code .cuh} files exactly as {@code sha256sum} does. After changing a kernel, run
 * {@code cuda-kernels/src/main/cuda/build.sh --update-prebuilt}.
 */
class PrebuiltKernelsTest {
    private static final Path SOURCES = Path.of("src/main/cuda");
    private static final Path PREBUILT = Path.of("src/main/prebuilt/dev/chimera/cuda/kernels");

    @Test
    void prebuiltKernelsWereBuiltFromTheseSources() throws IOException {
        assertEquals(Files.readString(PREBUILT.resolve("SOURCES.sha256")), sourceHashes(),
                "src/main/prebuilt is stale: run cuda-kernels/src/main/cuda/build.sh --update-prebuilt");
    }

    @Test
    void prebuiltHoldsEveryFamily() {
        for (KernelFamily f : KernelFamily.values()) {
            for (String name : List.of(f.file() + ".ptx", f.file() + ".sm_80.cubin", f.file() + ".sm_90.cubin")) {
                assertEquals(true, Files.isRegularFile(PREBUILT.resolve(name)), "missing prebuilt " + name);
            }
        }
    }

    /** {@code sha256sum build.sh *.cu *.cuh | sort -k2}, as build.sh writes it. */
    static String sourceHashes() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            List<Path> sources = files.filter(p -> {
                String n = p.getFileName().toString();
                return n.equals("build.sh") || n.endsWith(".cu") || n.endsWith(".cuh");
            }).sorted().toList();
            return sources.stream().map(p -> sha256(p) + "  " + p.getFileName() + "\n").collect(Collectors.joining());
        }
    }

    private static String sha256(Path p) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
