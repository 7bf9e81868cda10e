package dev.ferry.inventory.repository;

import io.quarkus.panache.common.Page;
import java.util.HashMap;
import java.util.Map;

/**
 * A filtered query under construction: conditions joined with "and", their named parameters, and a page. Keeps the
 * list endpoints' optional filters in one shape.
 */
public final class Paging {
    private final StringBuilder where = new StringBuilder("1 = 1");
    private final Map<String, Object> params = new HashMap<>();

    /** Adds {@code condition} (naming {@code :name}) when the value is given. */
    public Paging and(String condition, String name, Object value) {
        if (value != null) {
            where.append(" and ").append(condition);
            params.put(name, value);
        }
        return this;
    }

    public String query(String orderBy) {
        return where + " order by " + orderBy;
    }

    public Map<String, Object> params() {
        return params;
    }

    public static Page page(int page, int size) {
        return Page.of(page, size);
    }
}
