package dev.ferry.messaging;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Whether a failure to apply a record will pass by itself (the database or the broker is away, a lock or a
 * serialization conflict) or never (the record breaks the contract, a rule refuses it). Transient failures are
 * waited out and retried; only the others go to the dead-letter topic.
 */
public final class Transience {
    /** SQLSTATE classes that pass: connection (08), transaction rollback (40), resources (53), operator intervention (57). */
    private static final Set<String> TRANSIENT_SQL_CLASSES = Set.of("08", "40", "53", "57");
    /** Exception types, by simple name so that no driver or ORM is a dependency of this rule. */
    private static final Set<String> TRANSIENT_TYPES = Set.of("ConnectException", "ClosedConnectionException",
            "NoStackTraceThrowable", "VertxException", "PoolTimeoutException", "OptimisticLockException",
            "StaleObjectStateException", "PessimisticLockException", "LockTimeoutException", "JDBCConnectionException");

    private Transience() {
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException || TRANSIENT_TYPES.contains(t.getClass().getSimpleName())) {
                return true;
            }
            if (serverError(t)) {
                return true;
            }
            String state = sqlState(t);
            if (state != null && state.length() >= 2 && TRANSIENT_SQL_CLASSES.contains(state.substring(0, 2))) {
                return true;
            }
        }
        return false;
    }

    /** A 5xx answer from another service (a JAX-RS WebApplicationException): its outage passes too. */
    private static boolean serverError(Throwable t) {
        try {
            Object response = t.getClass().getMethod("getResponse").invoke(t);
            Object status = response == null ? null : response.getClass().getMethod("getStatus").invoke(response);
            return status instanceof Integer code && code >= 500;
        } catch (ReflectiveOperationException | RuntimeException notAnHttpAnswer) {
            return false;
        }
    }

    /** The SQLSTATE of a JDBC or a Vert.x PostgreSQL error, read without depending on either. */
    private static String sqlState(Throwable t) {
        if (t instanceof java.sql.SQLException sql) {
            return sql.getSQLState();
        }
        try {
            Object code = t.getClass().getMethod("getSqlState").invoke(t);
            return code instanceof String s ? s : null;
        } catch (ReflectiveOperationException notADatabaseError) {
            return null;
        }
    }
}
