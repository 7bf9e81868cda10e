package dev.ferry.scheduler.plan;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.LinkShares;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Moves between many hosts, each to a destination already chosen, played out in time under shared links: what a
 * rebalance's plan takes once its moves are queued. Every migration running shares its source's outbound and its
 * destination's inbound link with the others there, max-min ({@link LinkShares}, as the scheduler divides them), and a
 * migration at a smaller share costs what the engine's forecast at that bandwidth says. Between starts and ends the
 * shares stay the same, and a migration's progress is the fraction of its forecast at its share that has passed (the
 * fluid model of {@link EvacuationTimeline}, which plays one source with destinations still to choose).
 *
 * <p>Moves start in list order as the dispatcher starts queued migrations: while fewer than {@code slots} run, and only
 * when their source has an outbound slot and their destination an inbound one; a move whose hosts are busy lets the
 * next one go first.
 */
public final class MoveTimeline {
    /** One move: the VM's memory and dirty model, from one host to another. */
    public record Move(long vmId, long sourceHostId, long targetHostId, long memoryBytes, DirtyModel dirty) {
    }

    /** A host's migration link (each way) and how many migrations may leave and enter it at once. */
    public record Host(double linkBytesPerSecond, int maxOutbound, int maxInbound) {
    }

    /**
     * When each move ended and the bandwidth it had on average over its run (its shares weighted by how long it held
     * each), by VM id; and when the last one ended.
     */
    public record Result(Map<Long, Long> endMillis, Map<Long, Double> meanShareBytesPerSecond, long makespanMillis) {
    }

    private MoveTimeline() {
    }

    /**
     * @param hosts every host a move leaves or enters, by id
     * @param slots how many migrations may run at once in all
     */
    public static Result play(List<Move> order, Map<Long, Host> hosts, int slots, MigrationLimits limits, String policy) {
        for (Move m : order) {
            if (!hosts.containsKey(m.sourceHostId()) || !hosts.containsKey(m.targetHostId())) {
                throw new IllegalArgumentException("VM " + m.vmId() + " moves between hosts " + m.sourceHostId() + " and "
                        + m.targetHostId() + ", and only " + hosts.keySet() + " are known");
            }
        }
        List<Move> pending = new ArrayList<>(order);
        List<Move> running = new ArrayList<>();
        Map<Move, Double> left = new HashMap<>();
        Map<Long, Integer> leaving = new HashMap<>();
        Map<Long, Integer> entering = new HashMap<>();
        Map<Long, Long> ends = new HashMap<>();
        Map<Move, Double> carried = new HashMap<>(); // share x seconds, summed over the move's run
        Map<Move, Double> started = new HashMap<>();
        Map<Long, Double> meanShare = new HashMap<>();
        double now = 0;
        while (true) {
            for (Move m : new ArrayList<>(pending)) {
                if (running.size() >= slots) {
                    break;
                }
                if (leaving.getOrDefault(m.sourceHostId(), 0) < hosts.get(m.sourceHostId()).maxOutbound()
                        && entering.getOrDefault(m.targetHostId(), 0) < hosts.get(m.targetHostId()).maxInbound()) {
                    pending.remove(m);
                    running.add(m);
                    left.put(m, 1.0);
                    started.put(m, now);
                    leaving.merge(m.sourceHostId(), 1, Integer::sum);
                    entering.merge(m.targetHostId(), 1, Integer::sum);
                }
            }
            if (running.isEmpty()) {
                break; // nothing left, or a move no host limit ever lets start (a limit of 0): it never ends
            }
            List<LinkShares.Flow<Move>> flows = running.stream()
                    .map(m -> LinkShares.Flow.of(m, m.sourceHostId(), m.targetHostId())).toList();
            Map<Move, Double> shares = LinkShares.maxMin(flows, id -> hosts.get(id).linkBytesPerSecond());
            Map<Move, Double> seconds = new HashMap<>();
            double step = Double.POSITIVE_INFINITY;
            for (Move m : running) {
                double s = seconds(m, shares.get(m), link(m, hosts), limits, policy);
                seconds.put(m, s);
                step = Math.min(step, left.get(m) * s);
            }
            now += step;
            for (Move m : running) {
                carried.merge(m, shares.get(m) * step, Double::sum);
            }
            for (Move m : new ArrayList<>(running)) {
                double rest = left.get(m) - step / seconds.get(m);
                left.put(m, rest);
                if (rest <= 1e-9) {
                    running.remove(m);
                    leaving.merge(m.sourceHostId(), -1, Integer::sum);
                    entering.merge(m.targetHostId(), -1, Integer::sum);
                    ends.put(m.vmId(), Math.round(now * 1000));
                    double ran = now - started.get(m);
                    meanShare.put(m.vmId(), ran > 0 ? carried.get(m) / ran : link(m, hosts));
                }
            }
        }
        if (!pending.isEmpty()) {
            throw new IllegalArgumentException("VM " + pending.get(0).vmId() + " can never start: a host it crosses allows no "
                    + "migration at once, or slots is " + slots);
        }
        return new Result(ends, meanShare, Math.round(now * 1000));
    }

    /** The slower of the two hosts' links: what the move gets alone. */
    private static double link(Move m, Map<Long, Host> hosts) {
        return Math.min(hosts.get(m.sourceHostId()).linkBytesPerSecond(), hosts.get(m.targetHostId()).linkBytesPerSecond());
    }

    /** The move's forecast total time at a bandwidth, on the grid of its own link. */
    private static double seconds(Move m, double bandwidth, double link, MigrationLimits limits, String policy) {
        return ShareForecast.seconds(m.memoryBytes(), m.dirty(), bandwidth, link, limits, policy);
    }
}
