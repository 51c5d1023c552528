package dev.chimera.robotics.cli;

import picocli.CommandLine.Command;

/** {@code chimera robot}: action tokenizers, demonstrations, policies and their evaluation in simulation. */
@Command(name = "robot", mixinStandardHelpOptions = true,
        description = "Robotics: BEAST B-spline action tokens and their peers, simulated demonstrations, action-chunk "
                + "policies on the hybrid decoder.",
        subcommands = {TokenizersCommand.class, DemosCommand.class, RobotTrainCommand.class, RobotEvalCommand.class})
public final class RobotCommand {
}
