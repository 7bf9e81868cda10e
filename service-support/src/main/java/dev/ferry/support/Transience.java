package dev.ferry.support;

import java.io.IOException;
import java.util.Set;

/**
 * Whether a failure will pass by itself (the database, the broker or another service is away, a lock or serialization
 * conflict, a timeout) or never (the record breaks the contract, a rule refuses it, a body cannot be read, a bug).
 * Transient failures are waited out and retried; only the others go to the dead-letter topic. A failure that is
 * permanent anywhere in its causes is permanent, whatever wraps it. Types are matched by name along their class
 * hierarchy, so that no driver, ORM or client is a dependency of this rule and subclasses count as their parents.
 */
public final class Transience {
    /** SQLSTATE classes that pass: connection (08), transaction rollback (40), resources (53), operator intervention (57). */
    private static final Set<String> TRANSIENT_SQL_CLASSES = Set.of("08", "40", "53", "57");
    /** Another service's answers that mean "not now": bad gateway, unavailable, gateway timeout. */
    private static final Set<Integer> TRANSIENT_STATUSES = Set.of(502, 503, 504);
    /**
     * Pass by themselves: the network and Vert.x's connection failures (VertxException covers a closed HTTP
     * connection and a closed pool), any timeout (java.util.concurrent's and Mutiny's), the ORM's lock conflicts, and
     * a service's failure to sign in at the identity provider (Quarkus's OIDC client reports an unreachable provider,
     * even a reused connection it closed, without a cause; a refused secret is an operator's fix, waited out too).
     */
    private static final Set<String> TRANSIENT_TYPES = Set.of("VertxException", "ClosedConnectionException",
            "NoStackTraceThrowable", "PoolTimeoutException", "TimeoutException", "OptimisticLockException",
            "StaleObjectStateException", "PessimisticLockException", "LockTimeoutException", "JDBCConnectionException",
            "OidcClientException");
    /** Never pass: a record that breaks the contract, a body that cannot be read, a move the rules forbid. */
    private static final Set<String> PERMANENT_TYPES = Set.of("InvalidRecordException", "JsonProcessingException",
            "IllegalTransitionException", "IllegalArgumentException");

    private Transience() {
    }

    public static boolean isTransient(Throwable failure) {
        boolean passes = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (isA(t, PERMANENT_TYPES) || permanentAnswer(t)) {
                return false;
            }
            // every IOException but the JSON ones (permanent, above) is the network's: a reset, a refused connection
            passes |= t instanceof IOException || isA(t, TRANSIENT_TYPES) || transientAnswer(t) || transientSqlState(t);
        }
        return passes;
    }

    /** The ORM's names for a row another transaction changed or held. */
    private static final Set<String> CONFLICT_TYPES = Set.of("OptimisticLockException", "StaleObjectStateException",
            "PessimisticLockException", "LockTimeoutException");
    /** Serialization failure, deadlock, lock not available. */
    private static final Set<String> CONFLICT_SQL_STATES = Set.of("40001", "40P01", "55P03");

    /**
     * Whether the failure is a conflict with another transaction over rows (a serialization failure, 40001; a
     * deadlock, 40P01; a lock not granted, 55P03; the ORM's lock and stale-row exceptions), not the database being
     * away: transient, but a matter of those rows alone. Whoever works through many rows can skip the one and go on
     * with the others. (The rest of class 40, a constraint broken at commit, would fail again the same way.)
     */
    public static boolean isConflict(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String state = sqlState(t);
            if (isA(t, CONFLICT_TYPES) || state != null && CONFLICT_SQL_STATES.contains(state)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the database answered with this SQLSTATE anywhere in the failure's causes. */
    public static boolean hasSqlState(Throwable failure, String state) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (state.equals(sqlState(t))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isA(Throwable t, Set<String> names) {
        for (Class<?> c = t.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            if (names.contains(c.getSimpleName())) {
                return true;
            }
        }
        return false;
    }

    private static boolean transientSqlState(Throwable t) {
        String state = sqlState(t);
        return state != null && state.length() >= 2 && TRANSIENT_SQL_CLASSES.contains(state.substring(0, 2));
    }

    private static boolean transientAnswer(Throwable t) {
        Integer status = httpStatus(t);
        return status != null && TRANSIENT_STATUSES.contains(status);
    }

    /** Any other answer from another service, 500 included: retrying a request it refused or failed on changes nothing. */
    private static boolean permanentAnswer(Throwable t) {
        Integer status = httpStatus(t);
        return status != null && status >= 400 && !TRANSIENT_STATUSES.contains(status);
    }

    /** The status of another service's answer (a JAX-RS WebApplicationException's response), or null. */
    private static Integer httpStatus(Throwable t) {
        try {
            Object response = t.getClass().getMethod("getResponse").invoke(t);
            Object status = response == null ? null : response.getClass().getMethod("getStatus").invoke(response);
            return status instanceof Integer code ? code : null;
        } catch (ReflectiveOperationException | RuntimeException notAnHttpAnswer) {
            return null;
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
        } catch (ReflectiveOperationException | RuntimeException notADatabaseError) {
            return null;
        }
    }
}
