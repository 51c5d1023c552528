package dev.chimera.robotics.control;

/** Where a {@link RobotController} stands, as of its latest sample. */
public enum ControllerStatus {
    /** Built, {@code start()} not yet called: it holds the initial setpoint. */
    IDLE,
    /** Started, holding the initial setpoint until the policy's first chunk begins. */
    WAITING,
    /** Following a chunk of the policy. */
    RUNNING,
    /** The watchdog (or close) is bringing the setpoint smoothly to rest; the cause says why. */
    STOPPING,
    /** At rest after a stop; a chunk that arrives later resumes motion unless the controller is closed. */
    STOPPED
}
