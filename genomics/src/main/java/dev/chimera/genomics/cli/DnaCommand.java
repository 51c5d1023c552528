package dev.chimera.genomics.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code chimera dna ...}: the genomics batch commands. */
@Command(name = "dna",
        mixinStandardHelpOptions = true,
        description = "DNA language models over FASTA/FASTQ files: pretrain, score, embed, generate, baselines, "
                + "sequence classification (classify) and variant effect scores (vep, vep-eval).",
        subcommands = {PretrainCommand.class, ScoreCommand.class, EmbedCommand.class, GenerateCommand.class,
                BaselineCommand.class, ClassifyCommand.class, VepCommand.class, VepEvalCommand.class})
public final class DnaCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a command, e.g. 'chimera dna baseline'");
    }
}
