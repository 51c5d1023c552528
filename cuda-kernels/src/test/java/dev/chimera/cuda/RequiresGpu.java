package dev.chimera.cuda;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs {@link GpuTest}s on the GPU, or on the CPU emulator of the kernels where there is no GPU, and
 * disables them, with the reason printed once per class, where there is neither.
 */
public final class RequiresGpu implements ExecutionCondition {
    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String owner = context.getRequiredTestClass().getSimpleName();
        if (TestGpu.usable()) {
            if (TestGpu.emulated() && ANNOUNCED.add(owner)) {
                System.err.println("[gpu] " + owner + " runs on " + TestGpu.describe());
            }
            return ConditionEvaluationResult.enabled(TestGpu.describe());
        }
        String why = Gpu.describe() + ", and no CPU emulator was built (it needs g++)";
        if (ANNOUNCED.add(owner)) {
            System.err.println("[gpu] skipping " + owner + ": " + why);
        }
        return ConditionEvaluationResult.disabled(why);
    }
}
