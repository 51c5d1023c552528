package dev.chimera.genomics.classify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.core.kernel.VectorBackend;
import dev.chimera.genomics.DnaModel;
import dev.chimera.genomics.TestModels;
import dev.chimera.runtime.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Train, save, open: every method kept in the directory predicts exactly what it predicted in memory. */
class ClassifyModelTest {
    @TempDir
    Path dir;

    @Test
    void savedDirectoryGivesTheInMemoryProbabilitiesForEveryMethod() throws IOException {
        Path pretrained = TestModels.save(dir.resolve("pretrained"), DnaModel.info(64), 3);
        DnaModel pre = DnaModel.open(pretrained);
        List<Example> train = FineTuningTest.gcOrAt(1, 48);
        List<Example> test = FineTuningTest.gcOrAt(2, 20);
        List<String> labels = List.of("gc", "at");
        Progress progress = new Progress(new PrintWriter(new StringWriter()), false, "");
        for (Method main : new Method[] {Method.FINETUNE, Method.ECHO_PROBE}) {
            try (ComputePool pool = new ComputePool(2)) {
                VectorBackend backend = new VectorBackend(pool);
                ClassifierTraining.Trained trained = ClassifierTraining.train(pre, train, 2, main,
                        new FineTuning.Settings(6, 8, 1e-3, 10, 0.1, 0.01, 1.0, 1), 1, backend, progress, line -> { });
                assertEquals(List.of(main, Method.KMER_LOGREG, Method.CNN),
                        trained.methods().stream().map(Classifier::method).toList());
                Path out = dir.resolve(main.id());
                Map<String, String> info = ClassifyModel.info("gc-at", labels, trained.methods(), pre.context(),
                        trained.maxBases());
                ClassifyModel.save(out, pre.config(), trained.decoder(), trained.methods(), info, trained.steps(), 1);
                ClassifyModel opened = ClassifyModel.open(out, backend);
                assertEquals("gc-at", opened.task());
                assertEquals(labels, opened.labels());
                assertEquals(63, trained.maxBases());
                for (int m = 0; m < trained.methods().size(); m++) {
                    double[][] before = trained.methods().get(m).probabilities(test);
                    double[][] after = opened.methods().get(m).probabilities(test);
                    assertEquals(trained.methods().get(m).method(), opened.methods().get(m).method());
                    for (int i = 0; i < test.size(); i++) {
                        assertArrayEquals(before[i], after[i], 0.0, main.id() + " " + opened.methods().get(m).method());
                    }
                }
            }
        }
    }
}
