package dev.chimera.genomics.vep;

import dev.chimera.core.checkpoint.AtomicFiles;
import dev.chimera.genomics.TinyDnaModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One tiny trained DNA model (context 64) for every variant-scoring test class in this JVM: training
 * takes ~10 s on 2 cores, so the classes share it instead of training one each. Deleted at exit.
 */
public final class VepTestModel {
    /** The model's context, and so the default window of the commands (min(512, context)). */
    public static final int CONTEXT = 64;
    private static Path model;

    private VepTestModel() {
    }

    /** The model's run directory, trained on first use. */
    public static synchronized Path path() {
        if (model == null) {
            try {
                Path dir = Files.createTempDirectory("vep-model");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        AtomicFiles.deleteRecursively(dir);
                    } catch (IOException e) {
                        // a temporary folder left behind
                    }
                }));
                model = TinyDnaModel.train(dir.resolve("model"), "full", CONTEXT);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return model;
    }
}
