package dev.ferry.support;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.InvalidRecordException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TransienceTest {

    /** A database error of the Vert.x client's shape: a getSqlState() method. */
    static final class DatabaseError extends RuntimeException {
        private final String state;

        DatabaseError(String state) {
            super("SQLSTATE " + state);
            this.state = state;
        }

        public String getSqlState() {
            return state;
        }
    }

    /** The ORM's stale-row exception, matched by name as Transience matches it (Hibernate is no dependency here). */
    static final class StaleObjectStateException extends RuntimeException {
    }

    /** An HTTP answer of the JAX-RS client's shape (WebApplicationException needs a JAX-RS runtime to build). */
    static final class ServiceAnswer extends RuntimeException {
        private final Answer response;

        ServiceAnswer(int status) {
            super("HTTP " + status);
            this.response = new Answer(status);
        }

        public Answer getResponse() {
            return response;
        }

        public record Answer(int status) {
            public int getStatus() {
                return status;
            }
        }
    }

    static Arguments[] cases() {
        return new Arguments[] {
            Arguments.of("connection refused, wrapped twice", new IllegalStateException(new RuntimeException(new ConnectException("refused"))), true),
            Arguments.of("a timeout", new TimeoutException("no answer"), true),
            Arguments.of("the server shutting down (57P01)", new DatabaseError("57P01"), true),
            Arguments.of("a deadlock (40P01)", new DatabaseError("40P01"), true),
            Arguments.of("a serialization failure (40001) through JDBC", new SQLException("conflict", "40001"), true),
            Arguments.of("a connection failure (08006)", new DatabaseError("08006"), true),
            Arguments.of("too many connections (53300)", new DatabaseError("53300"), true),
            Arguments.of("a unique violation (23505)", new DatabaseError("23505"), false),
            Arguments.of("a record breaking the contract", new InvalidRecordException("no eventId"), false),
            Arguments.of("unparseable JSON, wrapped in the contract's exception",
                    new InvalidRecordException("not a MigrationEvent", new com.fasterxml.jackson.core.JsonParseException(null, "bad")), false),
            Arguments.of("a body that cannot be read, even if a reset connection lies under it",
                    new RuntimeException(new com.fasterxml.jackson.core.JsonParseException(null, "truncated",
                            new java.net.SocketException("Connection reset"))), false),
            Arguments.of("a socket reset", new java.net.SocketException("Connection reset"), true),
            Arguments.of("a 503 from another service", new ServiceAnswer(503), true),
            Arguments.of("a 422 from another service", new ServiceAnswer(422), false),
            Arguments.of("a 500 from another service: its bug, retrying changes nothing", new ServiceAnswer(500), false),
            Arguments.of("a 504 from a gateway", new ServiceAnswer(504), true),
            Arguments.of("a closed HTTP connection (a subclass of VertxException)", new io.vertx.core.http.HttpClosedException("closed"), true),
            Arguments.of("the identity provider not reachable to sign in (Quarkus's OIDC client gives no cause)",
                    new io.quarkus.oidc.client.OidcClientException("OIDC Server is not available"), true),
            Arguments.of("a broken pipe", new java.io.IOException("Broken pipe"), true),
            Arguments.of("Mutiny's timeout (not java.util.concurrent's)", new io.smallrye.mutiny.TimeoutException(), true),
            Arguments.of("a JSON end of input (a subclass of JsonProcessingException)",
                    new com.fasterxml.jackson.core.io.JsonEOFException(null, null, "eof"), false),
            Arguments.of("a programming error", new NullPointerException(), false),
        };
    }

    @ParameterizedTest(name = "{0}: transient {2}")
    @MethodSource("cases")
    void tellsAnOutageFromARecordThatCanNeverApply(String what, Throwable failure, boolean transientFailure) {
        assertThat(Transience.isTransient(failure)).isEqualTo(transientFailure);
    }

    @org.junit.jupiter.api.Test
    void tellsAConflictOverRowsFromTheDatabaseBeingAway() {
        assertThat(Transience.isConflict(new java.util.concurrent.CompletionException(new DatabaseError("40P01")))).isTrue();
        assertThat(Transience.isConflict(new SQLException("conflict", "40001"))).isTrue();
        assertThat(Transience.isConflict(new IllegalStateException("ORM", new DatabaseError("55P03")))).isTrue();
        assertThat(Transience.isConflict(new RuntimeException(new StaleObjectStateException()))).isTrue();
        assertThat(Transience.isConflict(new DatabaseError("08006"))).isFalse();
        assertThat(Transience.isConflict(new DatabaseError("57P01"))).isFalse();
        assertThat(Transience.isConflict(new java.net.ConnectException("refused"))).isFalse();
        assertThat(Transience.isConflict(new DatabaseError("23505"))).isFalse();
        assertThat(Transience.isConflict(new DatabaseError("40002"))).as("a constraint broken at commit fails again").isFalse();
    }

    @org.junit.jupiter.api.Test
    void findsTheDatabasesAnswerUnderWhateverWrapsIt() {
        Throwable wrapped = new java.util.concurrent.CompletionException(new IllegalStateException("ORM", new DatabaseError("55P03")));
        assertThat(Transience.hasSqlState(wrapped, "55P03")).isTrue();
        assertThat(Transience.hasSqlState(new SQLException("lock", "55P03"), "55P03")).isTrue();
        assertThat(Transience.hasSqlState(wrapped, "40001")).isFalse();
        assertThat(Transience.hasSqlState(new IllegalStateException("no database here"), "55P03")).isFalse();
    }
}
