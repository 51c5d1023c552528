package dev.chimera.genomics.cli;

import picocli.CommandLine;

/** {@code dna ...} as a program, for tests that run a command in a child JVM (and kill it). */
public final class DnaMain {
    private DnaMain() {
    }

    public static void main(String[] args) {
        System.exit(DnaCli.commandLine().execute(args));
    }
}
