package dev.chimera.genomics.cli;

/** {@code dna ...} as a program of its own, for tests that need a fresh JVM (see {@link DnaCli#runInNewJvm}). */
public final class DnaMain {
    private DnaMain() {
    }

    public static void main(String[] args) {
        DnaCli.Run r = DnaCli.run(args);
        System.out.print(r.out());
        System.err.print(r.err());
        System.exit(r.code());
    }
}
