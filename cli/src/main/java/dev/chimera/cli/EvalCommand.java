package dev.chimera.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code chimera eval ...}: experiments that train small models from scratch and report what they reach. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        description = "Experiments that train models from scratch and print what they reach beside the paper's figures.",
        subcommands = {EvalMqarCommand.class, EvalFourierSyntheticCommand.class})
final class EvalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose an experiment, e.g. 'chimera eval mqar'");
    }
}
