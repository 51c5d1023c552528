package dev.chimera.runtime;

/**
 * Input the user can fix: a missing or malformed file, an invalid character, a genome that cannot be
 * fetched. The message is one line and names the file, the record (and line or position where there
 * is one) and what was expected; the command line prints it as {@code chimera dna X: error: <message>}
 * and exits with status 1, without a stack trace.
 */
public class UserException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public UserException(String message) {
        super(message);
    }

    public UserException(String message, Throwable cause) {
        super(message, cause);
    }
}
