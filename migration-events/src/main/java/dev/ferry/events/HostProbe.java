package dev.ferry.events;

import java.time.Instant;
import java.util.List;

/**
 * inventory-service to a migration-worker, on {@link Topics#HOST_PROBES}, keyed by host: "ask this host what it is and
 * what runs on it". The worker owns hypervisor access; inventory never talks to libvirt. Sent when a host is
 * registered by its libvirt URI and then periodically (the sync). Answered by one {@link HostReport}.
 *
 * @param probeId    unique id; the report carries it back (and it is the report's dedup key)
 * @param hostId     the host in inventory
 * @param libvirtUri where its libvirtd answers, e.g. {@code qemu+tls://hv-01/system}
 * @param peers      the other hosts of its cluster: each running guest's CPU definition is compared against them
 *                   (libvirt's CPU comparison), which the pre-checks then use
 * @param requestedAt when inventory asked
 */
public record HostProbe(String probeId, long hostId, String libvirtUri, List<Peer> peers, Instant requestedAt) {

    /** Another host a guest might move to. */
    public record Peer(long hostId, String libvirtUri) {
    }

    public HostProbe {
        peers = peers == null ? List.of() : List.copyOf(peers);
    }

    public HostProbe validate() {
        if (probeId == null || probeId.isBlank() || libvirtUri == null || libvirtUri.isBlank()) {
            throw new InvalidRecordException("invalid host probe: probeId and libvirtUri are required");
        }
        return this;
    }

    public String key() {
        return "host-" + hostId;
    }
}
