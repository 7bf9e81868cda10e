package dev.ferry.scheduler.service;

import dev.ferry.scheduler.model.MigrationPriority;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Which queued migrations may start now. Plain logic: evacuations before user requests before rebalancing,
 * oldest first within a priority; a migration whose source or target is at its limit waits without
 * blocking the ones behind it whose hosts have room; the cluster-wide limit caps the total.
 */
public final class SlotPlanner {

    /** A queued migration and the limits of its two hosts. */
    public record Waiting(UUID id, MigrationPriority priority, Instant createdAt, long sourceHostId, long targetHostId,
            int sourceMaxOutbound, int targetMaxInbound) {
    }

    /** A migration holding a slot (SCHEDULED or RUNNING). */
    public record Active(long sourceHostId, long targetHostId) {
    }

    private SlotPlanner() {
    }

    public static List<UUID> startable(List<Waiting> queued, List<Active> active, int clusterLimit) {
        Map<Long, Integer> outbound = new HashMap<>();
        Map<Long, Integer> inbound = new HashMap<>();
        for (Active a : active) {
            outbound.merge(a.sourceHostId(), 1, Integer::sum);
            inbound.merge(a.targetHostId(), 1, Integer::sum);
        }
        int running = active.size();
        List<Waiting> ordered = new ArrayList<>(queued);
        ordered.sort(Comparator.comparing(Waiting::priority).thenComparing(Waiting::createdAt));
        List<UUID> start = new ArrayList<>();
        for (Waiting w : ordered) {
            if (running >= clusterLimit) {
                break;
            }
            if (outbound.getOrDefault(w.sourceHostId(), 0) >= w.sourceMaxOutbound()
                    || inbound.getOrDefault(w.targetHostId(), 0) >= w.targetMaxInbound()) {
                continue;
            }
            start.add(w.id());
            outbound.merge(w.sourceHostId(), 1, Integer::sum);
            inbound.merge(w.targetHostId(), 1, Integer::sum);
            running++;
        }
        return start;
    }
}
