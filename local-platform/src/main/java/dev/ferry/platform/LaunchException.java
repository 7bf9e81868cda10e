package dev.ferry.platform;

/** The platform could not do what was asked; the message says why and what to do. */
public class LaunchException extends RuntimeException {
    public LaunchException(String message) {
        super(message);
    }

    public LaunchException(String message, Throwable cause) {
        super(message, cause);
    }
}
