package dev.ferry.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * JSON on the wire, the same mapping in every service. Unknown fields are ignored so that a
 * newer producer does not break an older consumer; missing required fields are rejected by
 * {@code validate()}.
 */
public final class EventCodec {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private EventCodec() {
    }

    public static String toJson(Object record) {
        try {
            return MAPPER.writeValueAsString(record);
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

    private static <T> T read(String json, Class<T> type) {
        if (json == null || json.isBlank()) {
            throw new InvalidRecordException("empty " + type.getSimpleName() + " record");
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new InvalidRecordException("not a " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }
}
