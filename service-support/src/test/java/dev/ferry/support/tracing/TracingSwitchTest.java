package dev.ferry.support.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TracingSwitchTest {

    @Test
    void withoutAnEndpointTheSdkIsOffAndNothingIsExported() {
        for (String none : new String[] {null, "", "  "}) {
            TracingSwitch s = new TracingSwitch(none);
            assertThat(s.getValue(TracingSwitch.SDK_DISABLED)).isEqualTo("true");
            assertThat(s.getValue(TracingSwitch.TRACES_ENDPOINT)).isNull();
        }
    }

    @Test
    void anEndpointTurnsTheSdkOnAndPointsTheExporterThere() {
        TracingSwitch s = new TracingSwitch(" http://collector:4317 ");
        assertThat(s.getValue(TracingSwitch.SDK_DISABLED)).isEqualTo("false");
        assertThat(s.getValue(TracingSwitch.TRACES_ENDPOINT)).isEqualTo("http://collector:4317");
    }

    @Test
    void anOperatorsOwnQuarkusSettingStillWins() {
        // environment variables have ordinal 300, system properties 400
        assertThat(new TracingSwitch(null).getOrdinal()).isBetween(251, 299);
    }
}
