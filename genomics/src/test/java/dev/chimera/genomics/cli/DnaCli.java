package dev.chimera.genomics.cli;

import dev.chimera.runtime.UserErrorHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Random;
import picocli.CommandLine;

/** Runs {@code dna ...} in-process with the chimera root command's handling of user errors. */
final class DnaCli {
    private DnaCli() {
    }

    /** Exit code, stdout and stderr of one invocation. */
    record Run(int code, String out, String err) {
    }

    /** The {@code dna} command line with the root command's handling of user errors (one line, exit 1). */
    static CommandLine commandLine() {
        return UserErrorHandler.install(new CommandLine(new DnaCommand()));
    }

    static Run run(String... args) {
        CommandLine cl = commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /**
     * Runs {@code dna ...} in a new JVM (cold JIT, nothing shared with this one) with this JVM's
     * class path and module/opens flags.
     */
    static Run runInNewJvm(String... args) throws java.io.IOException, InterruptedException {
        java.util.List<String> command = childJvm(1024, java.util.List.of(args));
        java.nio.file.Path out = java.nio.file.Files.createTempFile("dna", ".out");
        java.nio.file.Path err = java.nio.file.Files.createTempFile("dna", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("dna " + String.join(" ", args) + " did not finish in 300 s");
            }
            return new Run(p.exitValue(), java.nio.file.Files.readString(out), java.nio.file.Files.readString(err));
        } finally {
            java.nio.file.Files.deleteIfExists(out);
            java.nio.file.Files.deleteIfExists(err);
        }
    }

    /** The command line of a child JVM running {@code dna args} ({@link DnaMain}) with this JVM's class path and flags. */
    static java.util.List<String> childJvm(int heapMb, java.util.List<String> args) {
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (String flag : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (flag.startsWith("--add") || flag.startsWith("-Djdk.incubator") || flag.startsWith("-XX:+Use")) {
                command.add(flag);
            }
        }
        command.add("-Xmx" + heapMb + "m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(DnaMain.class.getName());
        command.addAll(args);
        return command;
    }

    /** A FASTA record body: random bases with some local structure, 70 a line. */
    static String dna(Random rnd, int n) {
        StringBuilder sb = new StringBuilder();
        char prev = 'A';
        for (int i = 0; i < n; i++) {
            prev = rnd.nextDouble() < 0.4 ? (prev == 'A' ? 'T' : 'A') : "ACGT".charAt(rnd.nextInt(4));
            sb.append(prev);
            if (i % 70 == 69) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
