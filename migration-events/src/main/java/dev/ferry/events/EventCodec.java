package dev.ferry.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * JSON on the wire, the same mapping in every service. Every record carries the contract version it was written
 * under ({@value #CONTRACT_FIELD}); during a rolling upgrade a record is either understood or refused with a clear
 * reason, never misapplied: a record of an older contract (or none: version 1) is read with defaults for what it
 * lacks, and unknown fields are ignored within a version, but a record of a newer major version, or of a type this
 * service does not know, is refused ({@link InvalidRecordException}, so it goes to the dead-letter topic and can be
 * replayed once every service runs the new version). Missing required fields are rejected by {@code validate()}.
 */
public final class EventCodec {
    /** The contract version this code writes and understands. */
    public static final int CONTRACT = 1;
    static final String CONTRACT_FIELD = "contract";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EventCodec() {
    }

    public static String toJson(Object record) {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode tree = MAPPER.valueToTree(record);
            tree.put(CONTRACT_FIELD, CONTRACT);
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise " + record.getClass().getSimpleName(), e);
        }
    }

    public static MigrationCommand command(String json) {
        return read(json, MigrationCommand.class).validate();
    }

    public static MigrationEvent event(String json) {
        return read(json, MigrationEvent.class).validate();
    }

    public static InventoryEvent inventoryEvent(String json) {
        return read(json, InventoryEvent.class).validate();
    }

    public static HostProbe hostProbe(String json) {
        return read(json, HostProbe.class).validate();
    }

    public static HostReport hostReport(String json) {
        return read(json, HostReport.class).validate();
    }

    private static <T> T read(String json, Class<T> type) {
        if (json == null || json.isBlank()) {
            throw new InvalidRecordException("empty " + type.getSimpleName() + " record");
        }
        try {
            com.fasterxml.jackson.databind.JsonNode tree = MAPPER.readTree(json);
            int contract = tree.path(CONTRACT_FIELD).asInt(1);
            if (contract > CONTRACT) {
                throw new InvalidRecordException(type.getSimpleName() + " of contract version " + contract + ", newer than the "
                        + CONTRACT + " this service understands: upgrade it, then replay the record from the dead-letter topic");
            }
            return MAPPER.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
