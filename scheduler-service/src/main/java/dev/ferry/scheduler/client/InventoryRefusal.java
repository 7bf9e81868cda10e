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

    /**
     * Inventory's own sentence, or this exception's when it sent none; with each failed pre-check rule and its
     * sentence, so that a migration failed by a refusal says which rule (not only "1 rule(s) failed").
     */
    public String detail() {
        String said = refusal != null && refusal.detail() != null ? refusal.detail() : getMessage();
        if (refusal == null || refusal.failedRules() == null || refusal.failedRules().isEmpty()) {
            return said;
        }
        // inventory's own sentence names them since its refusals do; an older inventory's does not
        var unsaid = refusal.failedRules().stream().filter(r -> r.message() == null || !said.contains(r.message())).toList();
        return unsaid.isEmpty() ? said : said + " (" + unsaid.stream().map(r -> r.code() + ": " + r.message())
                .collect(java.util.stream.Collectors.joining("; ")) + ")";
    }
}
