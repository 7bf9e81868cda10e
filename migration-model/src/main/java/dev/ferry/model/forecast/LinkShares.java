package dev.ferry.model.forecast;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongToDoubleFunction;

/**
 * How concurrent migrations share the hosts' migration links: max-min fairness over each host's two directions.
 *
 * <p>A migration crosses two NICs: its source's outbound and its destination's inbound direction (links are full
 * duplex, so a host that sends and receives at once has its link's bandwidth each way). Every migration gets the same
 * share of a NIC unless it cannot use that much because another NIC it crosses is busier: then what it leaves over
 * goes to the others. This is progressive filling (Bertsekas and Gallager, Data Networks, 6.5.2): raise every
 * unfinished migration's rate together until some NIC is full; the migrations crossing it are done at that rate;
 * repeat with what is left. TCP streams of equal round-trip times on one bottleneck come close to it, and it is what
 * the scheduler enforces by sending each migration its share as a bandwidth cap.
 */
public final class LinkShares {

    /** One migration: its key, the two hosts, and its own cap (the operator's, 0 for none). */
    public record Flow<K>(K key, long sourceHostId, long targetHostId, double ownCapBytesPerSecond) {
        public static <K> Flow<K> of(K key, long sourceHostId, long targetHostId) {
            return new Flow<>(key, sourceHostId, targetHostId, 0);
        }
    }

    /** A host's NIC in one direction. */
    private record Nic(long hostId, boolean outbound) {
    }

    private LinkShares() {
    }

    /**
     * Each migration's share, in bytes per second.
     *
     * @param linkOf a host's migration link bandwidth (each way)
     */
    public static <K> Map<K, Double> maxMin(List<Flow<K>> flows, LongToDoubleFunction linkOf) {
        Map<Nic, Double> left = new HashMap<>();
        Map<Nic, List<Flow<K>>> users = new HashMap<>();
        for (Flow<K> f : flows) {
            for (Nic nic : nics(f)) {
                left.computeIfAbsent(nic, n -> requirePositive(linkOf.applyAsDouble(n.hostId()), n.hostId()));
                users.computeIfAbsent(nic, n -> new ArrayList<>()).add(f);
            }
        }
        Map<K, Double> share = new LinkedHashMap<>();
        flows.forEach(f -> share.put(f.key(), 0.0));
        List<Flow<K>> open = new ArrayList<>(flows);
        while (!open.isEmpty()) {
            // how far every open flow can still rise together: until the fullest NIC is full or a flow meets its cap
            Map<Nic, Integer> crossing = new HashMap<>();
            for (Flow<K> f : open) {
                nics(f).forEach(n -> crossing.merge(n, 1, Integer::sum));
            }
            double step = Double.POSITIVE_INFINITY;
            for (Map.Entry<Nic, Integer> e : crossing.entrySet()) {
                step = Math.min(step, left.get(e.getKey()) / e.getValue());
            }
            for (Flow<K> f : open) {
                if (f.ownCapBytesPerSecond() > 0) {
                    step = Math.min(step, f.ownCapBytesPerSecond() - share.get(f.key()));
                }
            }
            double rise = Math.max(0, step);
            crossing.forEach((nic, n) -> left.merge(nic, -rise * n, Double::sum));
            // by identity: a busy fleet has a thousand flows, and removing a list from a list compares each with each
            Set<Flow<K>> done = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (Flow<K> f : open) {
                double now = share.merge(f.key(), rise, Double::sum);
                boolean atCap = f.ownCapBytesPerSecond() > 0 && now >= f.ownCapBytesPerSecond() * (1 - EPSILON);
                boolean onFullNic = nics(f).stream().anyMatch(n -> left.get(n) <= linkOf.applyAsDouble(n.hostId()) * EPSILON);
                if (atCap || onFullNic) {
                    done.add(f);
                }
            }
            open.removeIf(done::contains);
        }
        return share;
    }

    /** Rounding slack: a NIC with this share of its bandwidth left is full. */
    private static final double EPSILON = 1e-9;

    private static List<Nic> nics(Flow<?> f) {
        return List.of(new Nic(f.sourceHostId(), true), new Nic(f.targetHostId(), false));
    }

    private static double requirePositive(double bandwidth, long hostId) {
        if (!(bandwidth > 0)) {
            throw new IllegalArgumentException("host " + hostId + " has no migration bandwidth (" + bandwidth + ")");
        }
        return bandwidth;
    }
}
