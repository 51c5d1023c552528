package dev.chimera.genomics.cli;

import dev.chimera.core.kernel.ComputePool;
import dev.chimera.genomics.classify.ClassifierTraining;
import dev.chimera.genomics.classify.ClassifyModel;
import dev.chimera.genomics.classify.Evaluation;
import dev.chimera.genomics.classify.LabelledSet;
import dev.chimera.runtime.ComputeOptions;
import dev.chimera.runtime.JsonOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code chimera dna classify eval}: every method kept in a classifier directory, scored on one test set. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Scores every method kept in a classifier directory on the same labelled test set: accuracy, macro F1 "
                    + "(the mean over classes of each class's F1) and MCC (multi-class, Gorodkin 2004).",
            "--json: one line per method, {\"task\", \"method\", \"accuracy\", \"f1\", \"mcc\"}."})
public final class ClassifyEvalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A classifier ('classify train --out').")
    Path model;

    @Option(names = "--test", required = true, paramLabel = "LABELLED",
            description = "Test records: a FASTA/FASTQ file with 'label=NAME' in its headers, or NAME=FILE,NAME=FILE.")
    String test;

    @Mixin
    ComputeOptions compute;

    @Mixin
    JsonOption json;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        try (ComputePool pool = new ComputePool(compute.threads())) {
            ClassifyModel classifier = ClassifyModel.open(model, compute.backend(pool));
            LabelledSet set = LabelledSet.against(test, "--test", classifier.labels());
            String cropped = ClassifierTraining.cropNote("--test", set.examples(), classifier.maxBases(),
                    classifier.main().method(), true);
            if (cropped != null) {
                cl.getErr().println(cropped);
                cl.getErr().flush();
            }
            ClassifyReport.print(cl.getOut(), classifier.task(), test, set.examples().size(),
                    Evaluation.score(classifier.methods(), set.examples(), classifier.labels().size()), json.enabled());
        }
        return 0;
    }
}
