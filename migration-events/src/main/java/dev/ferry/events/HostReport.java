package dev.ferry.events;

import java.time.Instant;
import java.util.List;

/**
 * A migration-worker to inventory-service, on {@link Topics#HOST_REPORTS}, keyed by host: what a host's libvirtd said
 * about itself in answer to a {@link HostProbe}, or that it could not be reached. Inventory fills the host's facts in
 * from it and compares the guests with its records; it never moves a VM on a report's word (differences become
 * discrepancies for an operator).
 *
 * @param probeId    the probe answered; the dedup key
 * @param hostId     the host in inventory
 * @param observedAt when the worker asked the host
 * @param reachable  false: libvirt did not answer ({@code error} says why) and every other field is empty
 * @param error      why the host could not be asked, or null
 * @param hostname   the name the host gives itself
 * @param cpu        its CPU as libvirt describes it
 * @param memoryBytes physical memory
 * @param hypervisorVersion e.g. "QEMU 10.0.2 (libvirt 11.3.0)"
 * @param networks   the libvirt networks defined and active on the host, by name
 * @param pools      the storage pools active on the host
 * @param guests     every domain the host runs, or has defined
 */
public record HostReport(String probeId, long hostId, Instant observedAt, boolean reachable, String error, String hostname,
        Cpu cpu, long memoryBytes, String hypervisorVersion, List<String> networks, List<Pool> pools, List<Guest> guests) {

    /** The host CPU: libvirt's vendor and model, the family and model numbers of its signature, topology, features. */
    public record Cpu(String vendor, String model, int family, int modelNumber, int sockets, int cores, int threads, int mhz,
            List<String> features) {
        public Cpu {
            features = features == null ? List.of() : List.copyOf(features);
        }
    }

    /** An active storage pool: its libvirt name, type and capacity. */
    public record Pool(String name, String type, long capacityBytes) {
    }

    /**
     * A guest (domain) on the host. {@code cpuRunsOn}: the peers of the probe whose hypervisor libvirt says can run
     * this guest's CPU definition (virConnectCompareHypervisorCPU); {@code cpuRefusedBy}: the peers that cannot, with
     * libvirt's reason. {@code reach}: which peers reach its disks and carry its networks. A peer that could not be
     * asked is in neither list. {@code cpuTimeNanos}: the host CPU time the running guest has used since its
     * hypervisor process started (libvirt's, all of its QEMU threads), as read during the probe; null for a guest not
     * running, or from a worker that does not read it. Inventory divides the difference between two reports by the
     * time between them: a guest's load over the sync interval, not over a moment. {@code domainId}: libvirt's id of
     * the running domain, new each time the guest starts, so that two readings of one id are of one hypervisor process
     * (a guest restarted between two reports whose CPU time has already passed the earlier reading is not mistaken for
     * the same); null for a guest not running, or from a worker that does not send it.
     */
    public record Guest(String name, String uuid, boolean running, long memoryBytes, int vcpus, List<Long> cpuRunsOn,
            List<Refusal> cpuRefusedBy, Reach reach, Long cpuTimeNanos, Integer domainId) {
        public Guest {
            cpuRunsOn = cpuRunsOn == null ? List.of() : List.copyOf(cpuRunsOn);
            cpuRefusedBy = cpuRefusedBy == null ? List.of() : List.copyOf(cpuRefusedBy);
            reach = reach == null ? Reach.NOT_ASKED : reach;
        }

        /** A guest whose domain id was not sent. */
        public Guest(String name, String uuid, boolean running, long memoryBytes, int vcpus, List<Long> cpuRunsOn,
                List<Refusal> cpuRefusedBy, Reach reach, Long cpuTimeNanos) {
            this(name, uuid, running, memoryBytes, vcpus, cpuRunsOn, cpuRefusedBy, reach, cpuTimeNanos, null);
        }

        /** A guest whose CPU time was not read. */
        public Guest(String name, String uuid, boolean running, long memoryBytes, int vcpus, List<Long> cpuRunsOn,
                List<Refusal> cpuRefusedBy, Reach reach) {
            this(name, uuid, running, memoryBytes, vcpus, cpuRunsOn, cpuRefusedBy, reach, null, null);
        }

        /** A guest whose disks and networks nobody asked the peers about. */
        public Guest(String name, String uuid, boolean running, long memoryBytes, int vcpus, List<Long> cpuRunsOn,
                List<Refusal> cpuRefusedBy) {
            this(name, uuid, running, memoryBytes, vcpus, cpuRunsOn, cpuRefusedBy, Reach.NOT_ASKED, null, null);
        }

    }

    /**
     * What the peers' libvirtd said about a guest's devices: {@code disksReachedBy} finds every disk of the guest in one
     * of its active storage pools (a guest without disks: every peer asked), {@code networksReachedBy} has every network
     * and bridge its NICs are plugged into; the refusals name the first missing one. A peer whose libvirtd does not
     * manage storage (or networks) is in neither list of that kind: it cannot say.
     */
    public record Reach(List<Long> disksReachedBy, List<Refusal> disksRefusedBy, List<Long> networksReachedBy,
            List<Refusal> networksRefusedBy) {
        public static final Reach NOT_ASKED = new Reach(List.of(), List.of(), List.of(), List.of());

        public Reach {
            disksReachedBy = disksReachedBy == null ? List.of() : List.copyOf(disksReachedBy);
            disksRefusedBy = disksRefusedBy == null ? List.of() : List.copyOf(disksRefusedBy);
            networksReachedBy = networksReachedBy == null ? List.of() : List.copyOf(networksReachedBy);
            networksRefusedBy = networksRefusedBy == null ? List.of() : List.copyOf(networksRefusedBy);
        }
    }

    /** A peer that cannot run a guest's CPU, or reach its disks or networks, and libvirt's words. */
    public record Refusal(long hostId, String reason) {
    }

    public HostReport {
        networks = networks == null ? List.of() : List.copyOf(networks);
        pools = pools == null ? List.of() : List.copyOf(pools);
        guests = guests == null ? List.of() : List.copyOf(guests);
    }

    /** A host that could not be asked. */
    public static HostReport unreachable(HostProbe probe, Instant at, String error) {
        return new HostReport(probe.probeId(), probe.hostId(), at, false, error, null, null, 0, null, null, null, null);
    }

    public HostReport validate() {
        if (probeId == null || probeId.isBlank() || observedAt == null) {
            throw new InvalidRecordException("invalid host report: probeId and observedAt are required");
        }
        if (reachable && cpu == null) {
            throw new InvalidRecordException("invalid host report: a reachable host without its CPU");
        }
        return this;
    }

    public String key() {
        return "host-" + hostId;
    }
}
