package dev.ferry.scheduler.client;

import com.fasterxml.jackson.databind.JsonNode;

/** inventory-service said no (a 4xx) and why, as its problem body. */
public class InventoryRefusal extends RuntimeException {
    private final int status;
    private final transient JsonNode problem;

    public InventoryRefusal(int status, JsonNode problem) {
        super("inventory-service refused with " + status + (problem != null ? ": " + problem.path("detail").asText() : ""));
        this.status = status;
        this.problem = problem;
    }

    public int status() {
        return status;
    }

    public JsonNode problem() {
        return problem;
    }
}
