package dev.ferry.support;

import jakarta.persistence.OptimisticLockException;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Database errors a caller can cause: a concurrent update (optimistic lock), a duplicate unique value or a row still
 * referenced by another become 409s, text the database cannot store a 400; a database that is away is a 503 (retry later, nothing was applied); anything
 * else is ours and a 500.
 */
public class DataErrorMappers {
    private static final Logger LOG = Logger.getLogger(DataErrorMappers.class);

    @ServerExceptionMapper
    public Response optimisticLock(OptimisticLockException e) {
        return ProblemMappers.respond(concurrentUpdate());
    }

    @ServerExceptionMapper
    public Response persistence(PersistenceException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof OptimisticLockException || t.getClass().getSimpleName().equals("StaleObjectStateException")) {
                return ProblemMappers.respond(concurrentUpdate());
            }
            String message = String.valueOf(t.getMessage());
            if (message.contains("23505") || message.contains("duplicate key")) {
                return ProblemMappers.respond(new Problem("duplicate", "Conflict", 409,
                        "a resource with the same unique value already exists"));
            }
            if (message.contains("22021") || message.contains("invalid byte sequence for encoding")) {
                // text the database cannot store (a NUL in a path or query parameter): the caller's input, not our fault
                return ProblemMappers.respond(new Problem("invalid-text", "Bad Request", 400,
                        "a value contains a character the database cannot store (such as NUL, U+0000); nothing was applied"));
            }
            if (message.contains("23503") || message.contains("violates foreign key constraint")) {
                return ProblemMappers.respond(new Problem("still-in-use", "Conflict", 409,
                        "other records still refer to it; the operation was not applied"));
            }
        }
        if (Transience.isTransient(e)) {
            return ProblemMappers.unavailable(e);
        }
        LOG.error("database error while serving a request", e);
        return ProblemMappers.respond(new Problem("internal-error", "Internal error", 500,
                "a database error occurred on our side; the operation was not applied"));
    }

    private static Problem concurrentUpdate() {
        return new Problem("concurrent-update", "Conflict", 409,
                "the resource was changed by someone else at the same time; read it again and retry");
    }
}
