package dev.ferry.worker.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.model.engine.RoundRecord;
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
}
