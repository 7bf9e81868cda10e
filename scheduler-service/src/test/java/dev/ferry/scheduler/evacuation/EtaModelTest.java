package dev.ferry.scheduler.evacuation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.scheduler.plan.EvacuationEta;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EtaModelTest {
    static final long GIB = 1L << 30;
    static final long GBE10 = 1_250_000_000L;

    static Migration move(long vm, long target, int attempt, int maxInbound) {
        Migration m = new Migration();
        m.id = UUID.randomUUID();
        m.vmId = vm;
        m.vmName = "vm-" + vm;
        m.memoryBytes = 8 * GIB;
        m.targetHostId = target;
        m.attempt = attempt;
        m.targetMaxInbound = maxInbound;
        m.linkBandwidthBytesPerSecond = GBE10 / 10;
        m.sourceLinkBytesPerSecond = GBE10;
        m.targetLinkBytesPerSecond = target == 2 ? GBE10 : GBE10 / 10;
        return m;
    }

    static MigrationRound round(Migration m, int attempt, int round, double rate, long dirtied) {
        MigrationRound r = new MigrationRound();
        r.migrationId = m.id;
        r.attempt = attempt;
        r.round = round;
        r.dirtyRatePagesPerSecond = rate;
        r.pagesDirtied = dirtied;
        return r;
    }

    @Test
    void aRunningMovesRoundsAfterTheFirstOfItsCurrentAttemptSayHowItsGuestWrites() {
        Migration running = move(1, 2, 2, 4);
        Migration earlyRunning = move(2, 2, 1, 4);
        Migration ended = move(3, 3, 1, 4);
        var rounds = List.of(
                round(running, 1, 2, 90_000, 900_000), // the attempt before: it started again from the first page
                round(running, 2, 1, 50_000, 2_000_000), // a long first round: more dirty than the working set
                round(running, 2, 2, 10_000, 30_000),
                round(running, 2, 3, 14_000, 40_000),
                round(earlyRunning, 1, 1, 20_000, 500_000),
                round(ended, 1, 2, 1, 1)); // not running: its rounds say nothing of the rest

        var evidence = EtaModel.evidence(rounds, Map.of(running.id, running, earlyRunning.id, earlyRunning));

        assertThat(evidence).containsOnlyKeys(running.id, earlyRunning.id);
        assertThat(evidence.get(running.id)).extracting(r -> r.round).containsExactly(2, 3);
        assertThat(evidence.get(earlyRunning.id)).extracting(r -> r.round).containsExactly(1);

        Migration waiting = move(4, 3, 1, 1);
        DirtyModel planned = new DirtyModel(1000, 500, "as planned");
        EvacuationEta.Model model = EtaModel.of(3, List.of(running, earlyRunning, waiting), evidence,
                Map.of(running.id, planned, waiting.id, planned), MigrationLimits.defaults(300), "ferry");

        // the running move: the mean rate of its rounds after the first, and the most pages one of them left dirty
        assertThat(model.vms().get(0).dirty().dirtyPagesPerSecond()).isEqualTo(12_000);
        assertThat(model.vms().get(0).dirty().hotPages()).isEqualTo(40_000);
        assertThat(model.vms().get(1).dirty().hotPages()).isEqualTo(500_000);
        // the waiting move keeps the plan's model
        assertThat(model.vms().get(2).dirty()).isEqualTo(planned);
        // each end's own link, the source's limit, and the strictest inbound limit the moves carry
        assertThat(model.links().sourceBytesPerSecond()).isEqualTo(GBE10);
        assertThat(model.links().targetBytesPerSecond()).containsEntry(2L, (double) GBE10).containsEntry(3L, GBE10 / 10.0);
        assertThat(model.links().targetMaxInbound()).containsEntry(2L, 4).containsEntry(3L, 1);
        assertThat(model.links().sourceMaxOutbound()).isEqualTo(3);
    }

    @Test
    void aMoveWithoutAPlannedModelOrLimitsOfItsOwnIsTakenAsTypical() {
        Migration old = move(5, 6, 1, 0);
        old.sourceLinkBytesPerSecond = null; // a row from before each end's link was kept
        old.targetLinkBytesPerSecond = null;

        EvacuationEta.Model model = EtaModel.of(null, List.of(old), Map.of(), Map.of(), MigrationLimits.defaults(300), "ferry");

        assertThat(model.vms().get(0).dirty()).isEqualTo(DirtyModel.typical(8 * GIB, GBE10 / 10));
        assertThat(model.links().sourceBytesPerSecond()).isEqualTo(GBE10 / 10);
        assertThat(model.links().targetMaxInbound()).containsEntry(6L, Integer.MAX_VALUE);
        assertThat(model.links().sourceMaxOutbound()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void theMeanShareIsWhatTheSharesLetItSendOverTheTimeSinceItsStart() {
        Migration m = move(1, 2, 1, 4);
        java.time.Instant start = java.time.Instant.parse("2026-12-05T03:00:00Z");
        // a minute at 125 MB/s (7.5 GB), then half that since its cap was halved 20 s ago
        m.shareFrom = start;
        m.shareSince = start.plusSeconds(60);
        m.shareCapacityBytes = 7.5e9;
        m.bandwidthCapBytesPerSecond = 62_500_000L;
        assertThat(EtaModel.meanShare(m, start.plusSeconds(80))).isCloseTo((7.5e9 + 1.25e9) / 80, org.assertj.core.data.Offset.offset(1.0));
        // no cap: the whole link (here the stream's, 125 MB/s)
        m.bandwidthCapBytesPerSecond = null;
        assertThat(EtaModel.meanShare(m, start.plusSeconds(80))).isCloseTo(125e6, org.assertj.core.data.Offset.offset(1.0));
        // a migration started before this was kept: not known
        m.shareFrom = null;
        assertThat(EtaModel.meanShare(m, start.plusSeconds(80))).isZero();
    }
}
