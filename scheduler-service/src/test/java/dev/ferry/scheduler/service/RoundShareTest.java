package dev.ferry.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.scheduler.model.Migration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The share of the links a round is judged at: the one that held throughout it, or none. */
class RoundShareTest {
    static final Instant END = Instant.parse("2026-12-04T12:00:00Z");

    static Migration migration(Long cap, Instant capChangedAt) {
        Migration m = new Migration();
        m.linkBandwidthBytesPerSecond = 125_000_000L;
        m.bandwidthCapBytesPerSecond = cap;
        m.capChangedAt = capChangedAt;
        return m;
    }

    static Double share(Migration m, long roundMillis) {
        return MigrationEvents.shareThroughout(m, roundMillis, END, END.plusMillis(200));
    }

    @Test
    void aRoundHasTheShareThatHeldThroughoutItOrNone() {
        // the share it started with (an attempt's first START): its cap, or its whole link where it had no cap
        assertThat(share(migration(62_500_000L, null), 5_000)).isEqualTo(62_500_000.0);
        assertThat(share(migration(null, null), 5_000)).isEqualTo(125_000_000.0);
        // changed 10 s before a 5 s round ended: it held throughout
        assertThat(share(migration(62_500_000L, END.minusSeconds(10)), 5_000)).isEqualTo(62_500_000.0);
        // changed 2 s before its end: the round ran at two shares, its mean unknown
        assertThat(share(migration(62_500_000L, END.minusSeconds(2)), 5_000)).isNull();
        // written a second before the round began: the command may have reached the worker after it began
        assertThat(share(migration(62_500_000L, END.minusSeconds(6)), 5_000)).isNull();
        // changed after it ended: the cap read now is not the round's
        assertThat(share(migration(62_500_000L, END.plusSeconds(1)), 5_000)).isNull();
    }

    @Test
    void aWorkerClockAheadOfTheSchedulersIsReadAsTheSchedulersNow() {
        // the worker says its 5 s round ended 30 s from now; written 3 s ago the cap came during it
        Instant now = END;
        assertThat(MigrationEvents.shareThroughout(migration(62_500_000L, now.minusSeconds(3)), 5_000, now.plusSeconds(30), now)).isNull();
    }
}
