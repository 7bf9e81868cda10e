package dev.ferry.messaging;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Whether a failure to apply a record will pass by itself (the database or another service is away, a lock or
 * serialization conflict) or never (the record breaks the contract, a rule refuses it, a body cannot be read).
 * Transient failures are waited out and retried; only the others go to the dead-letter topic. A failure that is
 * permanent anywhere in its causes is permanent, whatever wraps it.
 */
public final class Transience {
    /** SQLSTATE classes that pass: connection (08), transaction rollback (40), resources (53), operator intervention (57). */
    private static final Set<String> TRANSIENT_SQL_CLASSES = Set.of("08", "40", "53", "57");
    /** Exception types, by simple name so that no driver, ORM or client is a dependency of this rule. */
    private static final Set<String> TRANSIENT_TYPES = Set.of("ClosedConnectionException", "NoStackTraceThrowable",
            "VertxException", "PoolTimeoutException", "OptimisticLockException", "StaleObjectStateException",
            "PessimisticLockException", "LockTimeoutException", "JDBCConnectionException");
    /** Never passes: a record that breaks the contract, a body that cannot be read, a move the rules forbid. */
    private static final Set<String> PERMANENT_TYPES = Set.of("InvalidRecordException", "JsonProcessingException",
            "JsonParseException", "JsonMappingException", "MismatchedInputException", "InvalidFormatException",
            "IllegalTransitionException", "IllegalArgumentException");

    private Transience() {
    }

    public static boolean isTransient(Throwable failure) {
        boolean passes = false;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (PERMANENT_TYPES.contains(t.getClass().getSimpleName())) {
                return false;
            }
            passes |= network(t) || t instanceof TimeoutException || TRANSIENT_TYPES.contains(t.getClass().getSimpleName())
                    || serverError(t) || transientSqlState(t);
        }
        return passes;
    }

    /** The network between us and the database or a service, not the bytes that travelled over it. */
    private static boolean network(Throwable t) {
        return t instanceof ConnectException || t instanceof NoRouteToHostException || t instanceof UnknownHostException
                || t instanceof SocketException || t instanceof ClosedChannelException || t instanceof InterruptedIOException
                || (t instanceof IOException && t.getClass().getSimpleName().contains("Connect"));
    }

    private static boolean transientSqlState(Throwable t) {
        String state = sqlState(t);
        return state != null && state.length() >= 2 && TRANSIENT_SQL_CLASSES.contains(state.substring(0, 2));
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
        } catch (ReflectiveOperationException | RuntimeException notADatabaseError) {
            return null;
        }
    }
}
