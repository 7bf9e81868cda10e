package dev.ferry.scheduler.plan;

import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.scheduler.model.Migration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The room that queued migrations already claim on their destinations. Inventory counts a destination's room once
 * the dispatcher reserves it, which is when a slot frees up; until then, a burst of requests would all see the same
 * free memory and vCPUs, be accepted, and fail at dispatch. Placement and admission therefore count what each QUEUED
 * migration will take (SCHEDULED and RUNNING ones hold reservations inventory already counts). A queued migration
 * moving a VM away from a host frees room there only once it has run; that is not counted (the plan stays safe).
 */
public final class DestinationClaims {
    private static final long MIB = 1L << 20;

    /** What the queued migrations heading to one host will take there. */
    public record Claim(long memoryBytes, int vcpus, int migrations) {
        static final Claim NONE = new Claim(0, 0, 0);

        Claim plus(Migration m) {
            return new Claim(memoryBytes + m.memoryBytes, vcpus + (m.vcpus == null ? 0 : m.vcpus), migrations + 1);
        }
    }

    /**
     * A candidate's room once the claims are counted.
     *
     * @param freeMemoryAfterBytes what it keeps with the VM and every queued migration heading there
     * @param freeVcpusAfter       likewise, in vCPUs
     */
    public record Room(String hostName, long freeMemoryAfterBytes, int freeVcpusAfter, Claim claimed) {
        public boolean fits() {
            return freeMemoryAfterBytes >= 0 && freeVcpusAfter >= 0;
        }

        /** Why it does not fit, in words an operator can act on. */
        public String shortfall() {
            return String.format(Locale.ROOT, "%s would be short of %s once the %d queued migration(s) heading there "
                    + "(%d MiB, %d vCPUs) are placed", hostName, shortOf(), claimed.migrations(), claimed.memoryBytes() / MIB,
                    claimed.vcpus());
        }

        private String shortOf() {
            String memory = freeMemoryAfterBytes < 0 ? -freeMemoryAfterBytes / MIB + " MiB of memory" : null;
            String cpus = freeVcpusAfter < 0 ? -freeVcpusAfter + " vCPU(s)" : null;
            return memory != null && cpus != null ? memory + " and " + cpus : memory != null ? memory : cpus;
        }
    }

    private final Map<Long, Claim> byHost;

    private DestinationClaims(Map<Long, Claim> byHost) {
        this.byHost = byHost;
    }

    /** @param queued the QUEUED migrations: the only ones whose room inventory does not count yet */
    public static DestinationClaims of(List<Migration> queued) {
        Map<Long, Claim> byHost = new HashMap<>();
        for (Migration m : queued) {
            byHost.merge(m.targetHostId, Claim.NONE.plus(m), (a, b) -> a.plus(m));
        }
        return new DestinationClaims(byHost);
    }

    public Claim on(long hostId) {
        return byHost.getOrDefault(hostId, Claim.NONE);
    }

    /** The candidate's room with the VM on it, less what the queued migrations heading there claim. */
    public Room room(Candidate c) {
        Claim claimed = on(c.verdict().hostId());
        return new Room(c.verdict().hostName(), c.freeMemoryAfterBytes() - claimed.memoryBytes(),
                c.freeVcpusAfter() - claimed.vcpus(), claimed);
    }
}
