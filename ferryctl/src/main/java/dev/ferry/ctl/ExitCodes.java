package dev.ferry.ctl;

/**
 * What ferryctl's exit status means, for scripts: each outcome its own number, stable across versions.
 */
public final class ExitCodes {
    /** Done: listed, requested, or (with --wait) the migration or evacuation succeeded. */
    public static final int OK = 0;
    /** A fault of ferryctl itself. */
    public static final int INTERNAL = 1;
    /** The command line was wrong (picocli's own code). */
    public static final int USAGE = 2;
    /** The service refused: invalid, not found, not possible (failed pre-checks), conflicting, or not allowed (403). */
    public static final int REFUSED = 3;
    /** The migration (or a migration of the evacuation) failed; the VM runs on its source. */
    public static final int FAILED = 4;
    /** The migration was cancelled; the VM runs on its source. */
    public static final int CANCELLED = 5;
    /** --wait gave up before the end; the migration goes on. */
    public static final int TIMED_OUT = 6;
    /** A service did not answer, or answered 5xx: retry later. */
    public static final int UNAVAILABLE = 7;
    /** Nobody can tell where the VM runs (OUTCOME_UNKNOWN): an operator must look and resolve it. */
    public static final int OUTCOME_UNKNOWN = 8;
    /** Not signed in, or the token expired and could not be refreshed: ferryctl login. */
    public static final int NOT_SIGNED_IN = 9;

    private ExitCodes() {
    }

    /** The exit status of a migration's phase, once it has ended. */
    static int ofPhase(String phase) {
        return switch (phase) {
            case "SUCCEEDED" -> OK;
            case "FAILED" -> FAILED;
            case "CANCELLED" -> CANCELLED;
            default -> OUTCOME_UNKNOWN;
        };
    }

    /** The exit status of a failure. */
    static int of(Throwable failure) {
        if (failure instanceof Api.Refused r) {
            return r.status == 401 ? NOT_SIGNED_IN : r.status >= 500 ? UNAVAILABLE : REFUSED;
        }
        if (failure instanceof Api.Unreachable) {
            return UNAVAILABLE;
        }
        if (failure instanceof Session.NotSignedIn) {
            return NOT_SIGNED_IN;
        }
        if (failure instanceof IllegalArgumentException) {
            return REFUSED; // a name that matches nothing, a file that cannot be read: the input, refused before any call
        }
        return INTERNAL;
    }
}
