package dev.ferry.scheduler.evacuation;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationRound;
import dev.ferry.scheduler.plan.EvacuationEta;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.EvacuationTimeline;
import dev.ferry.scheduler.service.DirtyHistory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The model an evacuation's rest is played in, from its migrations as they stand (pure; the tracker reads what it
 * needs). Its links and limits are those its migrations carry (copied from the hosts when planned). A running
 * migration whose rounds have told how its guest writes takes what they say ({@link DirtyHistory#learned}); the others
 * keep the plan's model. Migrations outside the evacuation that share its links are not counted: the plan counted
 * those it saw.
 */
final class EtaModel {
    private EtaModel() {
    }

    /**
     * The live rounds each running migration's current attempt has recorded, as a VM's history is learned: those after
     * the first (a long first round leaves more dirty than the guest's working set), or the first while it is the only
     * one (a large guest's first round is minutes of evidence). Rounds of an earlier attempt, and of migrations not
     * running, are left out: an attempt starts again from the first page.
     *
     * @param rounds  live (not stop-and-copy) rounds of the running migrations, any attempt
     * @param running the running migrations, by id
     */
    static Map<UUID, List<MigrationRound>> evidence(List<MigrationRound> rounds, Map<UUID, Migration> running) {
        Map<UUID, List<MigrationRound>> byMigration = new HashMap<>();
        rounds.stream().filter(r -> running.containsKey(r.migrationId) && r.attempt == running.get(r.migrationId).attempt)
                .forEach(r -> byMigration.computeIfAbsent(r.migrationId, k -> new ArrayList<>()).add(r));
        byMigration.replaceAll((id, rs) -> rs.stream().anyMatch(r -> r.round > 1) ? rs.stream().filter(r -> r.round > 1).toList() : rs);
        return byMigration;
    }

    /**
     * @param maxOutbound how many may leave the source at once (null: no limit of its own)
     * @param followed    the migrations the ETA follows, in plan order ({@link EvacuationTracker#followed})
     * @param evidence    what each running migration's rounds say ({@link #evidence})
     * @param planned     the dirty model each VM was planned with; a VM without one is taken as typical for its size
     */
    static EvacuationEta.Model of(Integer maxOutbound, List<Migration> followed, Map<UUID, List<MigrationRound>> evidence,
            Map<UUID, DirtyModel> planned, MigrationLimits limits, String policy) {
        Map<Long, Double> link = new HashMap<>();
        Map<Long, Integer> inbound = new HashMap<>();
        List<VmToMove> vms = new ArrayList<>();
        for (Migration m : followed) {
            link.put(m.targetHostId, (double) targetLink(m));
            // no limit of its own (0) is none; migrations that took different limits from the host keep the strictest
            inbound.merge(m.targetHostId, m.targetMaxInbound > 0 ? m.targetMaxInbound : Integer.MAX_VALUE, Math::min);
            DirtyModel d = DirtyHistory.learned(evidence.getOrDefault(m.id, List.of()), "this migration's live rounds so far");
            if (d == null) {
                d = planned.getOrDefault(m.id, DirtyModel.typical(m.memoryBytes, sourceLink(m)));
            }
            vms.add(new VmToMove(m.vmId, m.vmName, m.memoryBytes, d, List.of(), null));
        }
        double source = followed.isEmpty() ? 1 : sourceLink(followed.get(0));
        EvacuationTimeline.Links links = new EvacuationTimeline.Links(source, link, inbound,
                maxOutbound != null ? maxOutbound : Integer.MAX_VALUE, List.of());
        return new EvacuationEta.Model(links, limits, policy, vms);
    }

    /** The source's own migration link; rows older than V14 knew only the stream's. */
    static double sourceLink(Migration m) {
        return m.sourceLinkBytesPerSecond != null ? m.sourceLinkBytesPerSecond : m.linkBandwidthBytesPerSecond;
    }

    /** The destination's own migration link, likewise. */
    static long targetLink(Migration m) {
        return m.targetLinkBytesPerSecond != null ? m.targetLinkBytesPerSecond : m.linkBandwidthBytesPerSecond;
    }

    /**
     * The mean over time of the shares a migration was given since its attempt first ran: what they let it send (V20, up
     * to when its cap in force was sent, and that cap since) over the time; 0 when not kept (started before V20).
     */
    static double meanShare(Migration m, java.time.Instant now) {
        if (m.shareFrom == null || m.shareSince == null) {
            return 0;
        }
        double since = Math.max(0, java.time.Duration.between(m.shareSince, now).toMillis()) / 1000.0;
        double span = Math.max(0, java.time.Duration.between(m.shareFrom, now).toMillis()) / 1000.0;
        double capacity = (m.shareCapacityBytes == null ? 0 : m.shareCapacityBytes) + share(m) * since;
        return span > 0 ? capacity / span : 0;
    }

    /** The bandwidth the migration was given: its share of the links when it had one, else its link. */
    static double share(Migration m) {
        return m.bandwidthCapBytesPerSecond != null ? m.bandwidthCapBytesPerSecond : m.linkBandwidthBytesPerSecond;
    }
}
