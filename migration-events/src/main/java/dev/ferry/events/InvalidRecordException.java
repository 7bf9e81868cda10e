package dev.ferry.events;

/** A record that does not follow the contract: unparseable JSON or a missing field. Not retryable. */
public class InvalidRecordException extends RuntimeException {
    public InvalidRecordException(String message) {
        super(message);
    }

    public InvalidRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
