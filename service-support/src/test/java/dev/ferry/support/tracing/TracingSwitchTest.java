package dev.ferry.support.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
    void anEndpointThatIsNoUrlIsRefusedNamingTheSetting() {
        for (String bad : new String[] {"otel-collector:4317", "grpc://otel-collector:4317", "http://", "http://exa mple:4317"}) {
            assertThatThrownBy(() -> new TracingSwitch(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("FERRY_OTLP_ENDPOINT").hasMessageContaining(bad).hasMessageContaining("http://otel-collector:4317");
        }
        assertThat(new TracingSwitch("https://collector.example:4318").getValue(TracingSwitch.TRACES_ENDPOINT))
                .isEqualTo("https://collector.example:4318");
    }

    @Test
    void anOperatorsOwnQuarkusSettingStillWins() {
        // environment variables have ordinal 300, system properties 400
        assertThat(new TracingSwitch(null).getOrdinal()).isBetween(251, 299);
    }
}
