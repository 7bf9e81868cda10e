package dev.ferry.scheduler.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.events.Principal;
import dev.ferry.scheduler.model.AuditEntry;
import java.time.Instant;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * One line of a migration's audit trail: the record as it was on the wire, and whether it was applied; for a request
 * received through the API, who asked.
 */
@Schema(example = "{\"position\": 41, \"direction\": \"EVENT_RECEIVED\", \"type\": \"ROUND_COMPLETED\", \"recordId\": \"c9cdbcbc-1265-4dc3-a793-a89b18b6158f\", \"attempt\": 1, \"sequence\": 2, \"recordedAt\": \"2026-11-25T20:00:07Z\", \"note\": null, \"principal\": null, \"record\": {\"eventId\": \"c9cdbcbc-1265-4dc3-a793-a89b18b6158f\", \"type\": \"ROUND_COMPLETED\", \"sequence\": 2}}")
public record AuditView(long position, String direction, String type, String recordId, int attempt, Long sequence,
        Instant recordedAt, String note, Principal principal, JsonNode record) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static AuditView of(AuditEntry a) {
        JsonNode record;
        try {
            record = JSON.readTree(a.payload);
        } catch (Exception e) {
            record = JSON.getNodeFactory().textNode(a.payload);
        }
        Principal by = a.principal == null ? null : new Principal(a.principalSubject, a.principal);
        return new AuditView(a.id, a.direction, a.recordType, a.recordId, a.attempt, a.sequence, a.recordedAt, a.note, by, record);
    }
}
