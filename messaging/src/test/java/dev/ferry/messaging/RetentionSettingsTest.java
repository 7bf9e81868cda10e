package dev.ferry.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatNoException;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetentionSettingsTest {
    static final Duration WEEK = Duration.ofDays(7);

    @Test
    void aHistoryShorterThanTheConsumedIdsIsRefusedNamingBothSettings() {
        assertThatThrownBy(() -> RetentionSettings.require("ferry.scheduler.history-retention", Duration.ofDays(1),
                "ferry.scheduler.audit-retention", Duration.ofDays(30), WEEK))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("ferry.scheduler.history-retention (PT24H) is shorter than ferry.messaging.consumed-retention (PT168H)");
    }

    @Test
    void anAuditTrailKeptForNoTimeIsRefused() {
        assertThatThrownBy(() -> RetentionSettings.require("h", Duration.ofDays(30), "ferry.inventory.audit-retention", Duration.ZERO, WEEK))
                .hasMessage("ferry.inventory.audit-retention (PT0S) must be longer than zero: the trail would be deleted as soon as written");
        assertThat(RetentionSettings.notPositive("a", Duration.ofDays(-1))).isNotNull();
    }

    @Test
    void bothWrongSayBoth() {
        assertThatThrownBy(() -> RetentionSettings.require("h", Duration.ofDays(1), "a", Duration.ZERO, WEEK))
                .hasMessageContaining("h (PT24H) is shorter").hasMessageContaining("; a (PT0S) must be longer than zero");
    }

    @Test
    void aHistoryAsLongAsTheConsumedIdsOrLongerIsFine() {
        assertThat(RetentionSettings.tooShort("h", WEEK, WEEK)).isNull();
        assertThatNoException().isThrownBy(() -> RetentionSettings.require("h", Duration.ofDays(30), "a", Duration.ofHours(1), WEEK));
    }
}
