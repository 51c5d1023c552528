package dev.chimera.cuda;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test that needs a GPU: tagged {@code gpu} (run only these with {@code -Dgroups=gpu}, or the JUnit
 * console's {@code --include-tag gpu}) and skipped, visibly, where {@link Gpu#available()} is false:
 * each skipped class prints why, and {@link GpuSkipSummary} prints the count at the end of the run.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("gpu")
@ExtendWith(RequiresGpu.class)
public @interface GpuTest {
}
