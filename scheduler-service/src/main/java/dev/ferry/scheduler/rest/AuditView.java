package dev.ferry.scheduler.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.scheduler.model.AuditEntry;
import java.time.Instant;

/** One line of a migration's audit trail: the record as it was on the wire, and whether it was applied. */
public record AuditView(long position, String direction, String type, String recordId, int attempt, Long sequence,
        Instant recordedAt, String note, JsonNode record) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static AuditView of(AuditEntry a) {
        JsonNode record;
        try {
            record = JSON.readTree(a.payload);
        } catch (Exception e) {
            record = JSON.getNodeFactory().textNode(a.payload);
        }
        return new AuditView(a.id, a.direction, a.recordType, a.recordId, a.attempt, a.sequence, a.recordedAt, a.note, record);
    }
}
