package dev.chimera.runtime;

/**
 * A failure the user can fix: a bad option value, a missing or malformed file, an invalid
 * character, a model that does not fit the input, a genome that cannot be fetched. The message is
 * one line and names the option or file, the record (and line or position where there is one) and
 * what was expected; {@link UserErrorHandler} prints it as {@code chimera <cmd>: error: <message>}
 * and exits with status 1, without a stack trace.
 *
 * <p>It is deliberately not an {@link IllegalArgumentException}: core-model throws those for
 * internal faults (shape mismatches, misuse of an API), which must reach the user with their stack
 * trace. Code where user input enters (options, loaders of files) turns such an exception into this
 * one when, and only when, the input is the cause.
 */
public class UserException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
