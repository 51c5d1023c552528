package dev.chimera.cuda;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.TestPlan;

/**
 * Prints, at the end of a test run, how many tests tagged {@code gpu} ran, where (a GPU or the CPU
 * emulator), and how many were skipped: a run without a GPU says so in one line instead of passing quietly. Registered through
 * {@code META-INF/services/org.junit.platform.launcher.TestExecutionListener}.
 */
public final class GpuSkipSummary implements TestExecutionListener {
    private static final TestTag GPU = TestTag.create("gpu");
    private final AtomicInteger skipped = new AtomicInteger();
    private final AtomicInteger passed = new AtomicInteger();
    private final AtomicInteger failed = new AtomicInteger();

    private volatile TestPlan plan;

    @Override
    public void testPlanExecutionStarted(TestPlan testPlan) {
        plan = testPlan;
    }

    @Override
    public void executionSkipped(TestIdentifier test, String reason) {
        if (!test.getTags().contains(GPU)) {
            return;
        }
        if (test.isTest()) {
            skipped.incrementAndGet();
        } else {
            // a skipped class: the engine reports none of its tests, so count them here
            skipped.addAndGet((int) plan.getDescendants(test).stream().filter(TestIdentifier::isTest).count());
        }
    }

    @Override
    public void executionFinished(TestIdentifier test, TestExecutionResult result) {
        if (test.isTest() && test.getTags().contains(GPU)) {
            switch (result.getStatus()) {
                case SUCCESSFUL -> passed.incrementAndGet();
                case ABORTED -> skipped.incrementAndGet(); // an assumption: "needs a real GPU"
                case FAILED -> failed.incrementAndGet();
            }
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (skipped.get() + passed.get() + failed.get() > 0) {
            System.err.printf("[gpu] GPU tests: %d passed, %d failed, %d skipped (%s)%n", passed.get(), failed.get(),
                    skipped.get(), TestGpu.usable() ? "on " + TestGpu.describe() : Gpu.describe());
        }
    }
}
