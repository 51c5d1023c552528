package dev.chimera.cuda;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Disables {@link GpuTest}s where there is no GPU, with the probe's reason, printed once per class. */
public final class RequiresGpu implements ExecutionCondition {
    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Gpu.available()) {
            return ConditionEvaluationResult.enabled(Gpu.describe());
        }
        String owner = context.getRequiredTestClass().getSimpleName();
        if (ANNOUNCED.add(owner)) {
            System.err.println("[gpu] skipping " + owner + ": " + Gpu.describe());
        }
        return ConditionEvaluationResult.disabled(Gpu.describe());
    }
}
