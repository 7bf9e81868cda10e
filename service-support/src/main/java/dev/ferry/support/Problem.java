package dev.ferry.support;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 7807 problem body. {@code type} is stable and machine-readable; {@code detail} is for a person;
 * extra members (the offending field, the failed rules) sit beside them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Problem {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_BASE = "https://ferry.dev/problems/";

    public final String type;
    public final String title;
    public final int status;
    public final String detail;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public Problem(String slug, String title, int status, String detail) {
        this.type = TYPE_BASE + slug;
        this.title = title;
        this.status = status;
        this.detail = detail;
    }

    public Problem with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    @JsonAnyGetter
    public Map<String, Object> extensions() {
        return extensions;
    }
}
