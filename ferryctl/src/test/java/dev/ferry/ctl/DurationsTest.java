package dev.ferry.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationsTest {
    @Test
    void readsDurationsAsOperatorsWriteThem() {
        assertThat(Durations.parse("300ms")).isEqualTo(Duration.ofMillis(300));
        assertThat(Durations.parse("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
        assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void refusesWhatIsNotOneSayingHowToWriteIt() {
        for (String bad : new String[] {"300", "ten", "5x", "10m junk", "", "m"}) {
            assertThatThrownBy(() -> Durations.parse(bad)).as(bad).isInstanceOf(CommandLine.TypeConversionException.class)
                    .hasMessageContaining("300ms, 45s, 10m or 1h30m");
        }
    }
}
