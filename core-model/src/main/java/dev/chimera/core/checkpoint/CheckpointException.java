package dev.chimera.core.checkpoint;

import java.io.IOException;

/**
 * A checkpoint or safetensors file that is malformed, incomplete or corrupted. The message names
 * the file and what is wrong with it; it is an {@link IOException} because, to the caller, the
 * bytes on disk are unusable just as if they could not be read.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
