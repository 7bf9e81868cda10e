package dev.ferry.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplayWindowTest {

    @Test
    void aHistoryShorterThanTheConsumedIdsIsRefusedNamingBothSettings() {
        assertThatThrownBy(() -> ReplayWindow.require("ferry.scheduler.history-retention", Duration.ofDays(1), Duration.ofDays(7)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("ferry.scheduler.history-retention (PT24H) is shorter than ferry.messaging.consumed-retention (PT168H)");
    }

    @Test
    void aHistoryAsLongAsTheConsumedIdsOrLongerIsFine() {
        assertThat(ReplayWindow.tooShort("h", Duration.ofDays(7), Duration.ofDays(7))).isNull();
        assertThat(ReplayWindow.tooShort("h", Duration.ofDays(30), Duration.ofDays(7))).isNull();
    }
}
