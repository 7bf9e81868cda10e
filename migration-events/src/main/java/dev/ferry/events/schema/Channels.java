package dev.ferry.events.schema;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.CommandType;
import dev.ferry.events.DirtyMeasurement;
import dev.ferry.events.DirtyPageRound;
import dev.ferry.events.EventType;
import dev.ferry.events.HostProbe;
import dev.ferry.events.HostReport;
import dev.ferry.events.InventoryEvent;
import dev.ferry.events.InventoryEventType;
import dev.ferry.events.MigrationCommand;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.MigrationMode;
import dev.ferry.events.MigrationOutcome;
import dev.ferry.events.Principal;
import dev.ferry.events.Topics;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Every topic Ferry produces, the record it carries and example records of it: what the published schemas and the
 * AsyncAPI document are made from. The examples are realistic records of each kind a consumer meets (they also decide
 * which fields are required, see {@link RecordSchemas}), so each one fills every field its kind uses.
 */
public final class Channels {

    /** A topic and its records. */
    public record Channel<R extends Record>(String topic, Class<R> record, List<R> examples) {
    }

    private static final UUID MIGRATION = UUID.fromString("6f1c2a9e-4b7d-4e2a-9a51-0c3f5d8e7b21");
    private static final Instant AT = Instant.parse("2026-12-02T10:15:30.250Z");
    private static final Principal OPERATOR = new Principal("0b7d3c55-7f0e-4c1e-8b8a-2a1f6e4d9c10", "operator");
    private static final long GIB = 1L << 30;

    public static final List<Channel<?>> ALL = List.of(
            new Channel<>(Topics.MIGRATION_COMMANDS, MigrationCommand.class, List.of(
                    new MigrationCommand("cmd-1", CommandType.START, MIGRATION, 1, 42, "web-7", 3, 5, 912, 8 * GIB,
                            1_250_000_000L, 300, AT, 99, false, AT.plusSeconds(600), "qemu+tls://hv-03/system",
                            "qemu+tls://hv-05/system", "10.20.0.5", OPERATOR, "ferry", 1_250_000_000L, true),
                    new MigrationCommand("cmd-3", CommandType.LIMIT_BANDWIDTH, MIGRATION, 1, 42, "web-7", 3, 5, 912, 8 * GIB,
                            1_250_000_000L, 300, AT.plusSeconds(4), null, false, null, null, null, null, null, null, 625_000_000L),
                    new MigrationCommand("cmd-2", CommandType.CANCEL, MIGRATION, 1, 42, "web-7", 3, 5, 912, 8 * GIB,
                            1_250_000_000L, 300, AT.plusSeconds(20), null, false, null, null, null, null, OPERATOR, null, null))),
            new Channel<>(Topics.MIGRATION_EVENTS, MigrationEvent.class, List.of(
                    new MigrationEvent("evt-2", EventType.ROUND_COMPLETED, MIGRATION, 1, 2, AT.plusSeconds(9), 42, 3, 5,
                            912, "worker-1", new DirtyPageRound(1, 2_097_152, 8 * GIB, 151_000, 16_700.0, 1.1e9, 7_800,
                            151_000, 618_496_000, 560, 0, "CONTINUE", "remaining memory fell by 93 %: another round",
                            false, MigrationMode.PRE_COPY), null),
                    new MigrationEvent("evt-1m", EventType.DIRTY_RATE_MEASURED, MIGRATION, 1, 2, AT.plusSeconds(1), 42, 3, 5,
                            912, "worker-1", null, null, new DirtyMeasurement(List.of(new DirtyMeasurement.Window(250, 38_000),
                            new DirtyMeasurement.Window(1_000, 96_000)), "calc-dirty-rate page-sampling", 0.41)),
                    new MigrationEvent("evt-9", EventType.MIGRATION_SUCCEEDED, MIGRATION, 1, 9, AT.plusSeconds(14), 42, 3,
                            5, 912, "worker-1", null, new MigrationOutcome(4, 9_120_000_000L, 180, 14_020, null, "libvirt",
                            MigrationMode.PRE_COPY, AbortStatus.NONE)),
                    new MigrationEvent("evt-s1", EventType.MIGRATION_SUCCEEDED, MIGRATION, 1, 10, AT.plusSeconds(15), 42,
                            3, 5, 912, MigrationEvent.SCHEDULER, null, new MigrationOutcome(4, 9_120_000_000L, 180, 14_020,
                            null, "libvirt", MigrationMode.PRE_COPY, AbortStatus.NONE)),
                    new MigrationEvent("evt-s2", EventType.OUTCOME_UNKNOWN, MIGRATION, 2, 3, AT.plusSeconds(90), 42, 3, 5,
                            913, MigrationEvent.SCHEDULER, null, null))),
            new Channel<>(Topics.INVENTORY_EVENTS, InventoryEvent.class, List.of(
                    new InventoryEvent("inv-1", InventoryEventType.HOST_STATE_CHANGED, AT, 3L, null, null, null, null, null,
                            "MAINTENANCE", "kernel patch", OPERATOR),
                    new InventoryEvent("inv-2", InventoryEventType.VM_PLACEMENT_CHANGED, AT.plusSeconds(15), 5L, 42L, 912L,
                            MIGRATION, 3L, 5L, "COMMITTED", "migration succeeded", Principal.SYSTEM))),
            new Channel<>(Topics.HOST_PROBES, HostProbe.class, List.of(
                    new HostProbe("probe-1", 3, "qemu+tls://hv-03/system", List.of(new HostProbe.Peer(5,
                            "qemu+tls://hv-05/system")), AT))),
            new Channel<>(Topics.HOST_REPORTS, HostReport.class, List.of(
                    new HostReport("probe-1", 3, AT, true, null, "hv-03", new HostReport.Cpu("Intel", "Icelake-Server", 6,
                            106, 2, 16, 2, 2600, List.of("avx512f", "vmx")), 256 * GIB, "QEMU 10.0.2 (libvirt 11.3.0)",
                            List.of("default"), List.of(new HostReport.Pool("images", "dir", 2048 * GIB)), List.of(
                            new HostReport.Guest("web-7", "0e4f9c1a-3d2b-4f6e-8a7c-5b1d2e3f4a5b", true, 8 * GIB, 2,
                                    List.of(5L), List.of(new HostReport.Refusal(7, "CPU lacks avx512f")),
                                    new HostReport.Reach(List.of(5L), List.of(), List.of(5L), List.of()), 5_412_000_000_000L, 17))),
                    new HostReport("probe-2", 4, AT, false, "Cannot recv data: Connection reset by peer", null, null, 0,
                            null, List.of(), List.of(), List.of()))));

    private Channels() {
    }
}
