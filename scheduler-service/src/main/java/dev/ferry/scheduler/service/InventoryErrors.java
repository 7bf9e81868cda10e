package dev.ferry.scheduler.service;

import dev.ferry.inventory.api.Refusal;
import dev.ferry.scheduler.client.InventoryRefusal;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;

/** Turns what inventory-service answered into the scheduler's own problem, keeping the root cause. */
public final class InventoryErrors {
    private InventoryErrors() {
    }

    /**
     * @param field the request field whose value inventory did not know, for a 404
     */
    public static Throwable translate(Throwable failure, String field) {
        if (failure instanceof ProblemException) {
            return failure;
        }
        if (failure instanceof InventoryRefusal refusal) {
            Refusal body = refusal.refusal();
            if (refusal.status() == 404) {
                return new ProblemException(new Problem("unknown-reference", "Unknown reference", 422, refusal.detail())
                        .with("field", field));
            }
            String slug = body != null && body.slug() != null ? body.slug() : "inventory-refused";
            Problem problem = new Problem(slug, refusal.status() == 422 ? "Migration not possible" : "Conflict",
                    refusal.status() == 422 ? 422 : 409, refusal.detail());
            if (body != null && body.failedRules() != null) {
                problem.with("failedRules", body.failedRules());
            }
            return new ProblemException(problem);
        }
        if (signInFailed(failure)) {
            return new ProblemException(new Problem("identity-unavailable", "Identity provider unavailable", 503,
                    "the scheduler could not sign in at the identity provider to call inventory-service: "
                            + rootMessage(failure) + "; nothing was reserved, retry later"));
        }
        if (!fromTheClient(failure)) {
            return failure; // ours (the database, a bug): the mappers say which, not "inventory unavailable"
        }
        return new ProblemException(new Problem("inventory-unavailable", "Inventory unavailable", 503,
                "inventory-service could not be reached to check and reserve the destination: " + rootMessage(failure)
                        + "; nothing was reserved, retry later"));
    }

    /** The REST client's OIDC filter could not get the scheduler's own token: the call to inventory never left. */
    private static boolean signInFailed(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof io.quarkus.oidc.client.OidcClientException) {
                return true;
            }
        }
        return false;
    }

    /** A failure of the call to inventory (no answer, a 5xx), not of anything else the request did. */
    private static boolean fromTheClient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof jakarta.ws.rs.WebApplicationException || t instanceof jakarta.ws.rs.ProcessingException
                    || t instanceof java.io.IOException || t instanceof io.vertx.core.VertxException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() != null ? " (" + root.getMessage() + ")" : "");
    }
}
