package dev.ferry.messaging;

import java.time.Duration;

/**
 * A service's history must outlast the window in which an event can be delivered again without being recognised as
 * consumed: an event replayed after what it names was deleted could no longer be applied.
 */
public final class ReplayWindow {
    private ReplayWindow() {
    }

    /** Why a history kept this long cannot work with these consumed-event ids, or null when it can. */
    public static String tooShort(String setting, Duration history, Duration consumed) {
        if (history.compareTo(consumed) < 0) {
            return setting + " (" + history + ") is shorter than ferry.messaging.consumed-retention (" + consumed
                    + "): an event replayed in between would find what it names deleted. Keep the history at least as long.";
        }
        return null;
    }

    /** Fails a service's start, with the reason, when its history is kept for less than the replay window. */
    public static void require(String setting, Duration history, Duration consumed) {
        String wrong = tooShort(setting, history, consumed);
        if (wrong != null) {
            throw new IllegalStateException(wrong);
        }
    }
}
