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

        final List<String> shown = new ArrayList<>();
        boolean showsMemory = true;

        @Override
        public JsonNode call(String command, Map<String, Object> arguments) throws IOException {
            if (command.equals("human-monitor-command")) {
                return show((String) arguments.get("command-line"));
            }
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

        /** 256 MiB of RAM in two ranges around a ROM; its pages from 64 MiB on hold only zeros. */
        private JsonNode show(String commandLine) throws IOException {
            if (!showsMemory) {
                throw new IOException("The command human-monitor-command has not been found");
            }
            shown.add(commandLine.split(" ")[0]);
            if (commandLine.equals("info mtree -f")) {
                return JSON.getNodeFactory().textNode("""
                        FlatView #0
                         AS "memory", root: system
                         Root memory region: system
                          0000000000000000-00000000000bffff (prio 0, ram): pc.ram
                          00000000000c0000-00000000000fffff (prio 0, rom): pc.ram @00000000000c0000
                          0000000000100000-000000000fffffff (prio 0, ram): pc.ram @0000000000100000
                        """);
            }
            long address = Long.parseLong(commandLine.substring(commandLine.indexOf("0x") + 2), 16);
            assertThat(address < 0xc0000L || address > 0xfffffL).as("a page of RAM, not the ROM: %x", address).isTrue();
            String word = address >= (64L << 20) ? "0x0000000000000000" : "0x00000000000000ff";
            return JSON.getNodeFactory().textNode(String.format("%016x: %s %s\r\n", address, word, word).repeat(256));
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
        // then the guest's memory: its RAM once, and a sample of its pages, three quarters of which hold only zeros
        assertThat(qemu.shown).first().isEqualTo("info");
        assertThat(qemu.shown).hasSize(1 + ZeroPages.PAGES);
        assertThat(m.zeroShare()).isBetween(0.69, 0.81);
    }

    @Test
    void aQemuThatWillNotShowItsMemoryStillGivesItsWindows() throws Exception {
        Measuring qemu = new Measuring();
        qemu.showsMemory = false;

        DirtyMeasurement m = DirtySample.beforeStart(qemu);

        assertThat(m.windows()).hasSize(2);
        assertThat(m.zeroShare()).as("not sampled").isNull();
    }

    @Test
    void aQemuThatRefusesToMeasureSaysSo() {
        DirtySample.Monitor old = (command, arguments) -> {
            throw new IOException("The command calc-dirty-rate has not been found");
        };

        assertThatThrownBy(() -> DirtySample.beforeStart(old)).isInstanceOf(IOException.class).hasMessageContaining("calc-dirty-rate");
    }
}
