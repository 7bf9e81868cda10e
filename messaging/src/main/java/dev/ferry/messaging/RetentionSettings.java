package dev.ferry.messaging;

import java.time.Duration;

/**
 * Checks a service's retention settings at start, so that a wrong one stops it with the reason instead of deleting
 * what it should keep. A history must outlast the window in which an event can be delivered again without being
 * recognised as consumed (an event replayed after what it names was deleted could no longer be applied), and an audit
 * trail must be kept for some time at all.
 */
public final class RetentionSettings {
    private RetentionSettings() {
    }

    /** Why a history kept this long cannot work with these consumed-event ids, or null when it can. */
    public static String tooShort(String setting, Duration history, Duration consumed) {
        if (history.compareTo(consumed) < 0) {
            return setting + " (" + history + ") is shorter than ferry.messaging.consumed-retention (" + consumed
                    + "): an event replayed in between would find what it names deleted. Keep the history at least as long.";
        }
        return null;
    }

    /** Why an audit trail kept this long is no trail, or null when it is one. */
    public static String notPositive(String setting, Duration audit) {
        if (audit.isNegative() || audit.isZero()) {
            return setting + " (" + audit + ") must be longer than zero: the trail would be deleted as soon as written";
        }
        return null;
    }

    /** Fails a service's start, with every reason, when its history or audit retention cannot work. */
    public static void require(String historySetting, Duration history, String auditSetting, Duration audit, Duration consumed) {
        String wrong = java.util.stream.Stream.of(tooShort(historySetting, history, consumed), notPositive(auditSetting, audit))
                .filter(java.util.Objects::nonNull).reduce((a, b) -> a + "; " + b).orElse(null);
        if (wrong != null) {
            throw new IllegalStateException(wrong);
        }
    }
}
