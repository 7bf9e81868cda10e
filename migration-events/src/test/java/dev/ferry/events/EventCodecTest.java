package dev.ferry.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private static MigrationEvent roundEvent() {
        var round = new DirtyPageRound(3, 100, 409600, 40, 80.0, 1.0e9, 500, 40, 163840, 1, 0,
                "CONTINUE", "remaining 160 KiB needs 1 ms > target", false);
        return new MigrationEvent("e-1", EventType.ROUND_COMPLETED, UUID.randomUUID(), 1, 4,
                Instant.parse("2026-11-25T20:00:00Z"), 7, 1, 2, 9, "worker-a", round, null);
    }

    @Test
    void eventSurvivesTheWireUnchanged() {
        var event = roundEvent();
        assertThat(EventCodec.event(EventCodec.toJson(event))).isEqualTo(event);
    }

    @Test
    void commandSurvivesTheWireUnchanged() {
        var command = new MigrationCommand("c-1", CommandType.START, UUID.randomUUID(), 1, 7, "web-1", 1, 2, 9,
                1L << 30, 125_000_000L, 300, Instant.now(), null, false, null, null, null, null, new Principal("5f2c", "alice"), null, null);
        assertThat(EventCodec.command(EventCodec.toJson(command))).isEqualTo(command);
    }

    @Test
    void hostProbesAndReportsSurviveTheWireAndRefuseWhatTheirReadersNeed() {
        HostProbe probe = new HostProbe("p-1", 7, "qemu+tls://hv-07/system", List.of(new HostProbe.Peer(8, "qemu+tls://hv-08/system")),
                Instant.parse("2026-12-02T05:00:00Z"));
        assertThat(EventCodec.hostProbe(EventCodec.toJson(probe))).isEqualTo(probe);
        HostReport report = new HostReport("p-1", 7, Instant.parse("2026-12-02T05:00:01Z"), true, null, "hv-07",
                new HostReport.Cpu("Intel", "Skylake-Server", 6, 85, 2, 16, 2, 2400, List.of("avx2", "vmx")), 256L << 30,
                "QEMU 10.0.2", List.of("default"), List.of(new HostReport.Pool("images", "dir", 1L << 40)),
                List.of(new HostReport.Guest("web-1", "0f8c3e4e-0000-0000-0000-000000000001", true, 4L << 30, 2, List.of(8L),
                        List.of(new HostReport.Refusal(9, "the host CPU lacks avx512f")),
                        new HostReport.Reach(List.of(8L), List.of(new HostReport.Refusal(9, "no active storage pool holds disk /srv/web-1.img")),
                                List.of(8L, 9L), List.of()), 86_400_000_000_000L, 42)));
        assertThat(EventCodec.hostReport(EventCodec.toJson(report))).isEqualTo(report);
        // a report from a worker that did not ask about devices yet: nobody answered, nothing refused
        HostReport notAsked = new HostReport("p-2", 7, report.observedAt(), true, null, "hv-07", report.cpu(), 1L << 30, "QEMU 10",
                List.of(), List.of(), List.of(new HostReport.Guest("web-2", "u-2", true, 1L << 30, 1, List.of(), List.of())));
        String older = EventCodec.toJson(notAsked).replaceFirst(",\"reach\":\\{[^}]*\\}", "");
        assertThat(older).doesNotContain("\"reach\"");
        assertThat(EventCodec.hostReport(older).guests().get(0).reach()).isEqualTo(HostReport.Reach.NOT_ASKED);
        assertThat(EventCodec.hostReport(older).guests().get(0).cpuTimeNanos()).as("not read").isNull();
        assertThat(EventCodec.hostReport(EventCodec.toJson(HostReport.unreachable(probe, Instant.now(), "connection refused")))
                .reachable()).isFalse();
        assertThatThrownBy(() -> EventCodec.hostProbe("{\"probeId\":\"p\",\"hostId\":1}"))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("libvirtUri");
        assertThatThrownBy(() -> EventCodec.hostReport("{\"probeId\":\"p\",\"hostId\":1,\"observedAt\":\"2026-12-02T05:00:01Z\",\"reachable\":true}"))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("without its CPU");
    }

    @Test
    void unknownFieldsFromANewerProducerAreIgnored() {
        String json = EventCodec.toJson(roundEvent()).replaceFirst("\\{", "{\"addedLater\":42,");
        assertThat(EventCodec.event(json).eventId()).isEqualTo("e-1");
    }

    @Test
    void everyRecordSaysWhichContractItWasWrittenUnder() {
        assertThat(EventCodec.toJson(roundEvent())).contains("\"contract\":" + EventCodec.CONTRACT);
    }

    @Test
    void aRecordOfANewerContractIsRefusedWithAClearReasonNotMisread() {
        String next = EventCodec.toJson(roundEvent()).replace("\"contract\":1", "\"contract\":2");
        assertThatThrownBy(() -> EventCodec.event(next)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("contract version 2, newer than the 1 this service understands");
        String command = EventCodec.toJson(new MigrationCommand("c-2", CommandType.START, UUID.randomUUID(), 1, 7, "web-1", 1, 2,
                9, 1L << 30, 125_000_000L, 300, Instant.now(), null, false, null, null, null, null, null, null, null)).replace("\"contract\":1", "\"contract\":2");
        assertThatThrownBy(() -> EventCodec.command(command)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("MigrationCommand of contract version 2");
    }

    @Test
    void theContractIsReadWhereverItStandsAndOnlyAtTheRecordsOwnLevel() {
        MigrationEvent event = roundEvent();
        String json = EventCodec.toJson(event);
        // first, before anything it could change the meaning of; and as a string
        String first = json.replace(",\"contract\":1", "").replaceFirst("\\{", "{\"contract\":2,");
        assertThatThrownBy(() -> EventCodec.event(first)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("contract version 2");
        String quoted = json.replace("\"contract\":1", "\"contract\":\"3\"");
        assertThatThrownBy(() -> EventCodec.event(quoted)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("contract version 3");
        // a newer contract together with a type this version does not know: the contract is the reason given
        String both = json.replace("\"contract\":1", "\"contract\":2").replace("\"ROUND_COMPLETED\"", "\"ROUND_SKIPPED\"");
        assertThatThrownBy(() -> EventCodec.event(both)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("contract version 2");
        // a field of that name inside the round is the round's, unknown to it and ignored; the record's own is 1
        String nested = json.replace("\"round\":{", "\"round\":{\"contract\":9,");
        assertThat(nested).contains("\"contract\":9");
        assertThat(EventCodec.event(nested)).isEqualTo(event);
        // not a number: read as the first version, as before
        assertThat(EventCodec.event(json.replace("\"contract\":1", "\"contract\":{\"major\":2}"))).isEqualTo(event);
    }

    @Test
    void aTypeOfANewerContractIsRefusedAndARecordOfAnOlderOneIsUnderstood() {
        String unknownType = EventCodec.toJson(roundEvent()).replace("\"ROUND_COMPLETED\"", "\"ROUND_SKIPPED\"");
        assertThatThrownBy(() -> EventCodec.event(unknownType)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("ROUND_SKIPPED");
        // written before contract versions existed (no field), and before the outcome knew its mode and abort status
        String older = "{\"eventId\":\"e-9\",\"type\":\"MIGRATION_SUCCEEDED\",\"migrationId\":\"" + UUID.randomUUID()
                + "\",\"attempt\":1,\"sequence\":3,\"timestamp\":\"2026-11-25T20:00:00Z\",\"vmId\":7,\"sourceHostId\":1,"
                + "\"targetHostId\":2,\"reservationId\":9,\"workerId\":\"w\",\"outcome\":{\"rounds\":3,\"totalBytesSent\":10,"
                + "\"downtimeMillis\":5,\"totalTimeMillis\":90,\"driver\":\"simulated\"}}";
        MigrationEvent e = EventCodec.event(older);
        assertThat(MigrationMode.orDefault(e.outcome().mode())).isEqualTo(MigrationMode.PRE_COPY);
        assertThat(AbortStatus.orDefault(e.outcome().abortStatus())).isEqualTo(AbortStatus.NONE);
    }

    @Test
    void rejectsGarbageWithAClearReason() {
        assertThatThrownBy(() -> EventCodec.event("not json"))
                .isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("not a MigrationEvent");
    }

    @Test
    void rejectsARoundEventWithoutItsRound() {
        String json = EventCodec.toJson(roundEvent()).replaceAll("\"round\":\\{[^}]*}", "\"round\":null");
        assertThatThrownBy(() -> EventCodec.event(json)).hasMessageContaining("ROUND_COMPLETED without round");
    }

    @Test
    void aMeasurementTravelsWithItsEventAndOneWithoutWindowsIsRefused() throws Exception {
        var measured = new MigrationEvent("e-m", EventType.DIRTY_RATE_MEASURED, UUID.randomUUID(), 1, 2, Instant.now(), 7, 1, 2,
                9, "w-1", null, null, new DirtyMeasurement(List.of(new DirtyMeasurement.Window(250, 13_312),
                new DirtyMeasurement.Window(1_000, 24_832)), "calc-dirty-rate page-sampling"));
        assertThat(EventCodec.event(EventCodec.toJson(measured))).isEqualTo(measured);

        var tree = (com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(EventCodec.toJson(measured));
        String none = tree.putNull("measurement").toString();
        assertThatThrownBy(() -> EventCodec.event(none)).hasMessageContaining("DIRTY_RATE_MEASURED without windows");
        String empty = EventCodec.toJson(measured).replaceAll("\"windows\":\\[[^]]*]", "\"windows\":[]");
        assertThatThrownBy(() -> EventCodec.event(empty)).hasMessageContaining("DIRTY_RATE_MEASURED without windows");
        String zero = EventCodec.toJson(measured).replace("\"millis\":250", "\"millis\":0");
        assertThatThrownBy(() -> EventCodec.event(zero)).hasMessageContaining("DIRTY_RATE_MEASURED without windows");

        // the sample of the guest's zero pages travels too; a record written before it existed reads as not sampled
        var sampled = new MigrationEvent("e-z", EventType.DIRTY_RATE_MEASURED, UUID.randomUUID(), 1, 2, Instant.now(), 7, 1, 2,
                9, "w-1", null, null, new DirtyMeasurement(measured.measurement().windows(), "calc-dirty-rate page-sampling", 0.38));
        assertThat(EventCodec.event(EventCodec.toJson(sampled)).measurement().zeroShare()).isEqualTo(0.38);
        assertThat(EventCodec.event(EventCodec.toJson(measured)).measurement().zeroShare()).isNull();
        String older = EventCodec.toJson(measured).replace(",\"zeroShare\":null", "");
        assertThat(older).doesNotContain("zeroShare");
        assertThat(EventCodec.event(older).measurement()).isEqualTo(measured.measurement());
        String overOne = EventCodec.toJson(sampled).replace("0.38", "1.5");
        assertThatThrownBy(() -> EventCodec.event(overOne)).hasMessageContaining("zero share outside 0 to 1");
    }

    @Test
    void rejectsAnEventWithoutId() {
        String json = EventCodec.toJson(roundEvent()).replace("\"eventId\":\"e-1\",", "");
        assertThatThrownBy(() -> EventCodec.event(json)).hasMessageContaining("eventId is missing");
    }

    @Test
    void rejectsAStartCommandWithoutMemory() {
        var command = new MigrationCommand("c-1", CommandType.START, UUID.randomUUID(), 1, 7, "web-1", 1, 2, 9,
                0, 125_000_000L, 300, Instant.now(), null, false, null, null, null, null, null, null, null);
        assertThatThrownBy(() -> EventCodec.command(EventCodec.toJson(command)))
                .hasMessageContaining("memoryBytes must be > 0");
    }

    @Test
    void modeAndAbortStatusTravelWithTheOutcomeAndAnOlderProducerMeansPreCopyUncancelled() {
        var outcome = new MigrationOutcome(4, 1L << 30, 15, 9000, null, "qemu", MigrationMode.POST_COPY, AbortStatus.FAILED);
        var event = new MigrationEvent("e-2", EventType.MIGRATION_SUCCEEDED, UUID.randomUUID(), 1, 9, Instant.now(), 7, 1, 2, 9,
                "worker-a", null, outcome);
        assertThat(EventCodec.event(EventCodec.toJson(event)).outcome()).isEqualTo(outcome);

        String older = EventCodec.toJson(event).replace(",\"mode\":\"POST_COPY\"", "").replace(",\"abortStatus\":\"FAILED\"", "");
        MigrationOutcome read = EventCodec.event(older).outcome();
        assertThat(MigrationMode.orDefault(read.mode())).isEqualTo(MigrationMode.PRE_COPY);
        assertThat(AbortStatus.orDefault(read.abortStatus())).isEqualTo(AbortStatus.NONE);
    }

    @Test
    void anInventoryEventNeedsWhatItIsAbout() {
        var removed = new InventoryEvent("i-1", InventoryEventType.VM_REMOVED, Instant.now(), 3L, 7L, null, null, 3L, null, null, "gone");
        assertThat(EventCodec.inventoryEvent(EventCodec.toJson(removed))).isEqualTo(removed);
        assertThat(removed.key()).isEqualTo("vm-7");
        var hostless = new InventoryEvent("i-2", InventoryEventType.HOST_REMOVED, Instant.now(), null, null, null, null, null, null, null, "x");
        assertThatThrownBy(() -> EventCodec.inventoryEvent(EventCodec.toJson(hostless))).hasMessageContaining("HOST_REMOVED without hostId");
    }
}
