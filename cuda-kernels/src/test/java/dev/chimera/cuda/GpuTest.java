package dev.chimera.cuda;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test of the CUDA kernels: tagged {@code gpu} (run only these with {@code -Dgroups=gpu}, or the JUnit
 * console's {@code --include-tag gpu}), run on the GPU, or on the CPU emulator of the kernels where
 * there is none ({@link TestGpu}), and skipped, visibly, where there is neither: each class prints
 * where it ran or why it skipped, and {@link GpuSkipSummary} prints the counts at the end of the run.
 * Cases the emulator cannot run skip through {@link TestGpu#assumeRealGpu}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("gpu")
@ExtendWith(RequiresGpu.class)
public @interface GpuTest {
}
