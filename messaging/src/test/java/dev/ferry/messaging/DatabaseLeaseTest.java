package dev.ferry.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Two replicas asking for one named lease in a real PostgreSQL. */
class DatabaseLeaseTest {

    static boolean claim(DatabaseLease lease) {
        return lease.claim().await().atMost(OutboxDatabase.WAIT);
    }

    @Test
    void oneHolderAtATimeTakeoverAfterExpiryAndAtOnceAfterRelease() throws Exception {
        try (OutboxDatabase db = new OutboxDatabase()) {
            Duration ttl = Duration.ofMillis(1500);
            DatabaseLease a = new DatabaseLease(db.pool(), "dispatcher", "replica-a", ttl, Duration.ofMillis(500));
            DatabaseLease b = new DatabaseLease(db.pool(), "dispatcher", "replica-b", ttl, Duration.ofMillis(500));
            DatabaseLease otherWork = new DatabaseLease(db.pool(), "outbox", "replica-b", ttl, Duration.ofMillis(500));

            assertThat(claim(a)).isTrue();
            assertThat(a.held()).isTrue();
            assertThat(claim(b)).isFalse();
            assertThat(b.held()).isFalse();
            assertThat(claim(otherWork)).as("leases of other names are independent").isTrue();
            assertThat(claim(a)).as("the holder renews").isTrue();

            // a stops renewing (it died): b may take over only once the lease ran out on the database's clock
            Thread.sleep(ttl.toMillis() - 1000);
            assertThat(claim(b)).isFalse();
            Thread.sleep(1200);
            assertThat(a.held()).as("a trusts its lease only until ttl - margin").isFalse();
            assertThat(claim(b)).isTrue();
            assertThat(claim(a)).isFalse();

            b.release().await().atMost(OutboxDatabase.WAIT);
            assertThat(b.held()).isFalse();
            assertThat(claim(b)).as("a holder that gave its lease up (shutting down) never takes it again").isFalse();
            assertThat(claim(a)).as("a released lease is free at once").isTrue();
        }
    }

    @Test
    void aMarginAsLongAsTheLeaseIsRefused() {
        assertThatThrownBy(() -> new DatabaseLease(null, "x", "h", Duration.ofSeconds(5), Duration.ofSeconds(5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must exceed the margin");
    }
}
