package dev.ferry.support;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;

/**
 * Refuses text with a NUL character (U+0000) in request bodies, as a 400 naming the field: PostgreSQL cannot store it,
 * and a request must not get as far as the database to find that out.
 */
@Singleton
public class NoNulText implements ObjectMapperCustomizer {
    /** Why such text is refused, in the problem's detail. */
    static final String REASON = "text may not contain the NUL character (U+0000)";

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("ferry-no-nul-text").addDeserializer(String.class, new Strict()));
    }

    /** Jackson's own string reading, then the check. */
    static final class Strict extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String value = super.deserialize(p, ctxt);
            if (value != null && value.indexOf('\u0000') >= 0) {
                return (String) ctxt.handleWeirdStringValue(String.class, value.replace("\u0000", "\\u0000"),
                        REASON);
            }
            return value;
        }
    }
}
