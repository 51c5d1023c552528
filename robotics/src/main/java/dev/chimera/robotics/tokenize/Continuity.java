package dev.chimera.robotics.tokenize;

/**
 * How a BEAST chunk joins the motion before it (REFERENCE §7): C0 pins the first control point to
 * the previously executed action; C1 also sets the second from the previous velocity, so the
 * decoded setpoints have no jump in position (C0) or in velocity either (C1).
 */
public enum Continuity {
    C0(1),
    C1(2);

    private final int pinned;

    Continuity(int pinned) {
        this.pinned = pinned;
    }

    /** Control points of a continuous DoF that the previous motion fixes, so are not tokens. */
    public int pinned() {
        return pinned;
    }

    /** "c0" or "c1" as on the command line. */
    public static Continuity parse(String text) {
        return switch (text.toLowerCase(java.util.Locale.ROOT)) {
            case "c0" -> C0;
            case "c1" -> C1;
            default -> throw new IllegalArgumentException("continuity must be c0 or c1, got '" + text + "'");
        };
    }
}
