package dev.ferry.inventory.api;

import java.util.List;

/**
 * Why inventory-service said no: its RFC 7807 problem body, as far as a caller acts on it. {@code failedRules} is
 * set when pre-checks refused a destination; {@code field} when a request named something unknown;
 * {@code reservationId} when a migration already holds another destination (409 reservation-exists), so that the
 * caller can give that hold back.
 */
public record Refusal(String type, String title, int status, String detail, String field, List<FailedRule> failedRules,
        Long reservationId) {

    /** One pre-check rule that failed, with its stable code and a sentence. */
    public record FailedRule(String code, String message) {
    }

    /** The last part of the problem type: "migration-not-possible" for https://ferry.dev/problems/migration-not-possible. */
    public String slug() {
        if (type == null) {
            return null;
        }
        int slash = type.lastIndexOf('/');
        return slash < 0 ? type : type.substring(slash + 1);
    }
}
