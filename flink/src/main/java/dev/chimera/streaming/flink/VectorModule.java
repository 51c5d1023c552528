package dev.chimera.streaming.flink;

/**
 * Chimera's kernels use the Vector API, an incubator module a JVM has only when started with
 * {@code --add-modules jdk.incubator.vector}. Without it the first kernel class fails to load; this
 * says what to do instead.
 */
final class VectorModule {

    private VectorModule() {
    }

    /** Fails, naming {@code jvm} and the Flink setting to change, when this JVM lacks the module. */
    static void require(String jvm) {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new IllegalStateException(jvm + " lacks --add-modules jdk.incubator.vector, which Chimera's "
                    + "kernels need: add it to env.java.opts.all in the Flink configuration (see flink/README.md)");
        }
    }
}
