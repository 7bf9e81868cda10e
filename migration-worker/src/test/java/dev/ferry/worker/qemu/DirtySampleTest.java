package dev.ferry.worker.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.events.DirtyMeasurement;
import dev.ferry.model.engine.RoundRecord;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** calc-dirty-rate's answer as a window of the dirty curve (QEMU 10's own words, measured on this machine). */
class DirtySampleTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aMeasuredRateBecomesTheDistinctPagesOfItsWindow() throws Exception {
        // the test guest rewriting 96 MiB at 200 MiB/s: 208 MiB/s over 250 ms is 52 MiB, 13,312 pages of 4 KiB
        var answer = JSON.readTree("""
                {"status":"measured","sample-pages":4096,"dirty-rate":208,"mode":"page-sampling",
                 "calc-time-unit":"millisecond","start-time":1796461292,"calc-time":250}""");

        assertThat(DirtySample.of(answer, 4096)).isEqualTo(new RoundRecord.Sample(0.25, 13_312));
    }

    @Test
    void noWindowWhileQemuIsStillMeasuringOrWhenItFailed() throws Exception {
        assertThat(DirtySample.of(JSON.readTree("{\"status\":\"measuring\",\"calc-time\":250}"), 4096)).isNull();
        assertThat(DirtySample.of(JSON.readTree("{\"status\":\"unstarted\"}"), 4096)).isNull();
    }

    /** A monitor that answers "measuring" twice after each calc-dirty-rate, then the window it was asked for. */
    static final class Measuring implements DirtySample.Monitor {
        final List<String> calls = new ArrayList<>();
        final List<Integer> windowsAsked = new ArrayList<>();
        int asked;
        int polls;

        @Override
        public JsonNode call(String command, Map<String, Object> arguments) throws IOException {
            calls.add(command);
            if (command.equals("calc-dirty-rate")) {
                asked = (Integer) arguments.get("calc-time");
                windowsAsked.add(asked);
                polls = 0;
                return JSON.createObjectNode();
            }
            if (++polls < 3) {
                return JSON.readTree("{\"status\":\"measuring\",\"calc-time\":" + asked + "}");
            }
            // 100 MiB/s over a 250 ms window, 50 MiB/s over 1 s: a set rewritten within the second
            int rate = asked == 250 ? 100 : 50;
            return JSON.readTree("{\"status\":\"measured\",\"dirty-rate\":" + rate + ",\"calc-time\":" + asked + "}");
        }
    }

    @Test
    void beforeTheStartAShortAndALongWindowAreMeasuredOneAfterTheOther() throws Exception {
        Measuring qemu = new Measuring();

        DirtyMeasurement m = DirtySample.beforeStart(qemu);

        assertThat(m.windows()).containsExactly(new DirtyMeasurement.Window(250, 6_400), new DirtyMeasurement.Window(1_000, 12_800));
        assertThat(m.method()).isEqualTo(DirtySample.METHOD);
        // a first window thrown away, then each asked for only once the one before is measured: QEMU measures one at a time
        assertThat(qemu.calls).containsExactly("calc-dirty-rate", "query-dirty-rate", "query-dirty-rate", "query-dirty-rate",
                "calc-dirty-rate", "query-dirty-rate", "query-dirty-rate", "query-dirty-rate",
                "calc-dirty-rate", "query-dirty-rate", "query-dirty-rate", "query-dirty-rate");
        assertThat(qemu.windowsAsked).containsExactly(DirtySample.WARM_UP_MILLIS, 250, 1_000);
    }

    @Test
    void aQemuThatRefusesToMeasureSaysSo() {
        DirtySample.Monitor old = (command, arguments) -> {
            throw new IOException("The command calc-dirty-rate has not been found");
        };

        assertThatThrownBy(() -> DirtySample.beforeStart(old)).isInstanceOf(IOException.class).hasMessageContaining("calc-dirty-rate");
    }
}
