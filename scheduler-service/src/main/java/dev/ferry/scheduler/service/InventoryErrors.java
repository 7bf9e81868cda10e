package dev.ferry.scheduler.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.scheduler.client.InventoryRefusal;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;

/** Turns what inventory-service answered into the scheduler's own problem, keeping the root cause. */
final class InventoryErrors {
    private InventoryErrors() {
    }

    /**
     * @param field the request field whose value inventory did not know, for a 404
     */
    static Throwable translate(Throwable failure, String field) {
        if (failure instanceof ProblemException) {
            return failure;
        }
        if (failure instanceof InventoryRefusal refusal) {
            JsonNode body = refusal.problem();
            String detail = body != null ? body.path("detail").asText(refusal.getMessage()) : refusal.getMessage();
            if (refusal.status() == 404) {
                return new ProblemException(new Problem("unknown-reference", "Unknown reference", 422, detail)
                        .with("field", field));
            }
            String slug = body != null ? slugOf(body.path("type").asText("inventory-refused")) : "inventory-refused";
            Problem problem = new Problem(slug, refusal.status() == 422 ? "Migration not possible" : "Conflict",
                    refusal.status() == 422 ? 422 : 409, detail);
            if (body != null && body.has("failedRules")) {
                problem.with("failedRules", body.get("failedRules"));
            }
            return new ProblemException(problem);
        }
        return new ProblemException(new Problem("inventory-unavailable", "Inventory unavailable", 503,
                "inventory-service could not be reached to check and reserve the destination: " + rootMessage(failure)
                        + "; nothing was reserved, retry later"));
    }

    private static String slugOf(String type) {
        int slash = type.lastIndexOf('/');
        return slash < 0 ? type : type.substring(slash + 1);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() != null ? " (" + root.getMessage() + ")" : "");
    }
}
