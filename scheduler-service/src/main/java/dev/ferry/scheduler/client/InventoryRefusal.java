package dev.ferry.scheduler.client;

import dev.ferry.inventory.api.Refusal;

/** inventory-service said no (a 4xx) and why, as its problem body. */
public class InventoryRefusal extends RuntimeException {
    private final int status;
    private final transient Refusal refusal;

    public InventoryRefusal(int status, Refusal refusal) {
        super("inventory-service refused with " + status + (refusal != null && refusal.detail() != null ? ": " + refusal.detail() : ""));
        this.status = status;
        this.refusal = refusal;
    }

    public int status() {
        return status;
    }

    /** The problem body, or null when inventory sent none. */
    public Refusal refusal() {
        return refusal;
    }

    /** Inventory's own sentence, or this exception's when it sent none. */
    public String detail() {
        return refusal != null && refusal.detail() != null ? refusal.detail() : getMessage();
    }
}
