package dev.chimera.robotics.control;

/**
 * The whole setpoint trajectory as one immutable value, swapped in by the policy thread and read by
 * the control thread without locks: before {@link #switchAt} it is the trajectory it replaced
 * ({@code before}, kept one level deep so that chains do not grow); from then on its main piece (a
 * chunk, a stop, or the initial hold) and, for a chunk, the stop prepared in advance from the chunk's
 * end state ({@code tail}), which the controller follows if no next chunk has arrived by then.
 */
final class Segment {
    enum Kind { HOLD, CHUNK, STOP }

    /** The cause reported while a chunk's prepared tail is being followed. */
    static final String LATE = "no chunk arrived before the current one ended";

    final Kind kind;
    final long switchAt;
    private final Segment before;   // null or a segment whose own before is null
    final Piece main;
    private final Piece tail;       // the stop after a chunk, null for HOLD and STOP
    private final String cause;     // why a STOP segment stops; null otherwise

    private Segment(Kind kind, Segment before, Piece main, Piece tail, String cause) {
        this.kind = kind;
        this.switchAt = main.start;
        this.before = before;
        this.main = main;
        this.tail = tail;
        this.cause = cause;
    }

    /** The trajectory before any chunk: the initial setpoint, held. */
    static Segment hold(long start, double[] setpoint) {
        int dof = setpoint.length;
        double[][] coeffs = new double[dof][];
        for (int d = 0; d < dof; d++) {
            coeffs[d] = new double[] {setpoint[d]};
        }
        return new Segment(Kind.HOLD, null, new Piece(start, 1, new int[dof], coeffs), null, null);
    }

    static Segment chunk(Segment before, Piece chunk, Piece tail) {
        return new Segment(Kind.CHUNK, before.trimmed(), chunk, tail, null);
    }

    static Segment stop(Segment before, Piece stop, String cause) {
        return new Segment(Kind.STOP, before.trimmed(), stop, null, cause);
    }

    private Segment trimmed() {
        return before == null ? this : new Segment(kind, null, main, tail, cause);
    }

    /** The piece in force at t, from this segment on (not the one before the switch). */
    private Piece pieceAt(long t) {
        return tail != null && t >= tail.start ? tail : main;
    }

    /** Reference position and velocity of every DoF at t, (D) each; allocates nothing. */
    void state(long t, double[] pos, double[] vel) {
        if (t < switchAt && before != null) {
            before.state(t, pos, vel);
        } else {
            pieceAt(t).state(t, pos, vel);
        }
    }

    /** Reference acceleration of DoF d at t. */
    double acceleration(int d, long t) {
        if (t < switchAt && before != null) {
            return before.acceleration(d, t);
        }
        return pieceAt(t).acceleration(d, t);
    }

    /** The spline degree of DoF d in force at t (what a stop starting there continues from). */
    int degree(int d, long t) {
        if (t < switchAt && before != null) {
            return before.degree(d, t);
        }
        return pieceAt(t).degree(d);
    }

    /** The stop piece in force at t (a STOP segment's, or a chunk's tail), or null where there is none. */
    Piece stopPieceAt(long t) {
        if (t < switchAt && before != null) {
            return before.stopPieceAt(t);
        }
        if (kind == Kind.STOP) {
            return main;
        }
        return tail != null && t >= tail.start ? tail : null;
    }

    /** Whether t falls in a stop: a STOP segment's, or a chunk's tail. */
    boolean stoppingAt(long t) {
        return stopPieceAt(t) != null;
    }

    /** Status at t once started. */
    ControllerStatus status(long t) {
        if (t < switchAt && before != null) {
            return before.status(t);
        }
        if (kind == Kind.HOLD) {
            return ControllerStatus.WAITING;
        }
        Piece piece = pieceAt(t);
        if (kind == Kind.CHUNK && piece == main) {
            return ControllerStatus.RUNNING;
        }
        return t < piece.end() ? ControllerStatus.STOPPING : ControllerStatus.STOPPED;
    }

    /** Why the trajectory stops at t, or null where it does not. */
    String cause(long t) {
        if (t < switchAt && before != null) {
            return before.cause(t);
        }
        if (kind == Kind.STOP) {
            return cause;
        }
        return tail != null && t >= tail.start ? LATE : null;
    }
}
