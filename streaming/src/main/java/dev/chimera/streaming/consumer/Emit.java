package dev.chimera.streaming.consumer;

/** When the consumer writes a forecast for a series. */
public enum Emit {
    /** When an observation completes one of the model's segments (a decoder step): the default. */
    SEGMENT,
    /** After every observation once the series has its first lookback (each one a roll of the decoder). */
    EVERY;

    /** Parses {@code segment} or {@code every}, as {@code --emit} takes them. */
    public static Emit parse(String text) {
        return switch (text) {
            case "segment" -> SEGMENT;
            case "every" -> EVERY;
            default -> throw new IllegalArgumentException("--emit " + text + ": expected segment or every");
        };
    }
}
