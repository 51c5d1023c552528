package dev.chimera.streaming.flink;

/**
 * One line of the input file and its number in the file, 0 for the first (the header). A Flink POJO
 * (public fields, a no-argument constructor), so Flink serialises it without Kryo.
 */
public class SourceLine {
    /** The line's position in the file, from 0. */
    public long number;
    /** The line without its line terminator. */
    public String text;

    public SourceLine() {
    }

    public SourceLine(long number, String text) {
        this.number = number;
        this.text = text;
    }
}
