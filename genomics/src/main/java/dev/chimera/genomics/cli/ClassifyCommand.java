package dev.chimera.genomics.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code chimera dna classify ...}: sequence classification on a pretrained DNA model, with baselines. */
@Command(name = "classify",
        mixinStandardHelpOptions = true,
        description = {
            "Sequence classification: fine-tune a pretrained DNA model (or probe its echo embeddings) on labelled "
                    + "records, beside two baselines fitted on the same data (6-mer logistic regression, a one-hot "
                    + "CNN); score every method on a test set; predict classes of new records; cut a labelled "
                    + "coding/intergenic data set from an annotated genome.",
            "LABELLED is a FASTA/FASTQ file whose headers carry 'label=NAME' (e.g. '>r1 label=promoter'), or one file "
                    + "per class: NAME=FILE,NAME=FILE."},
        subcommands = {ClassifyTrainCommand.class, ClassifyEvalCommand.class, ClassifyPredictCommand.class,
                ClassifyDatasetCommand.class})
public final class ClassifyCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "choose a command: train, eval, predict or dataset");
    }
}
