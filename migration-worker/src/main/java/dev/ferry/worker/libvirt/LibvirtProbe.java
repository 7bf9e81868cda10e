package dev.ferry.worker.libvirt;

import dev.ferry.events.HostProbe;
import dev.ferry.events.HostReport;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.NodeInfo;
import org.libvirt.StoragePool;

/**
 * Asks one host's libvirtd what it is and what it runs, for inventory (discovery when a host is registered by its URI,
 * then the periodic sync): the CPU (vendor, model, signature, topology, features), memory, versions, active networks
 * and storage pools, and every guest. For each guest it also asks the probe's peers (the other hosts of the cluster)
 * whether they reach its disks and carry its networks ({@link PeerReach}), and for each running guest whether their
 * hypervisor can run its CPU definition, with libvirt's own comparison; the pre-checks use those answers; and each
 * running guest's CPU time so far, from which inventory computes its load. A peer that
 * cannot be reached is asked nothing and is in no answer. Only reads: nothing on any host changes.
 */
public final class LibvirtProbe {
    private LibvirtProbe() {
    }

    /** The host's report, or an unreachable one naming libvirt's error; never throws for what a host says. */
    public static HostReport probe(HostProbe probe, Instant now) {
        Connect host;
        try {
            host = LibvirtMigration.connect(probe.libvirtUri());
        } catch (IOException e) {
            return HostReport.unreachable(probe, now, e.getMessage());
        }
        Map<Long, Connect> peers = new HashMap<>();
        try {
            // first thing, before the peers are asked: inventory times the load between two reports by their stamps
            int[] running = host.listDomains();
            Map<Integer, Long> cpuNanos = new HashMap<>();
            for (int id : running) {
                cpuNanos.put(id, host.domainLookupByID(id).getInfo().cpuTime);
            }
            connect(probe.peers(), peers);
            NodeInfo node = host.nodeInfo();
            HostReport.Cpu cpu = LibvirtXml.hostCpu(host.getCapabilities(), node.mhz);
            if (cpu.sockets() == 0) {
                cpu = new HostReport.Cpu(cpu.vendor(), cpu.model(), cpu.family(), cpu.modelNumber(), node.sockets, node.cores,
                        node.threads, node.mhz, cpu.features());
            }
            List<HostReport.Pool> pools = pools(host);
            Map<CompareKey, Object> verdicts = new HashMap<>(); // few CPU definitions among many guests: ask once each
            List<HostReport.Guest> guests = new ArrayList<>();
            for (int id : running) {
                guests.add(guest(host.domainLookupByID(id), cpuNanos.get(id), probe, peers, verdicts));
            }
            for (String name : host.listDefinedDomains()) {
                guests.add(guest(host.domainLookupByName(name), null, probe, peers, verdicts));
            }
            return new HostReport(probe.probeId(), probe.hostId(), now, true, null, host.getHostName(), cpu,
                    node.memory * 1024, version(host), networks(host), pools, guests);
        } catch (LibvirtException | RuntimeException e) {
            return HostReport.unreachable(probe, now, "libvirt at " + probe.libvirtUri() + " failed to answer: " + e.getMessage());
        } finally {
            close(host);
            peers.values().forEach(LibvirtProbe::close);
        }
    }

    /**
     * The active storage pools; none where libvirtd runs without its storage driver (a host whose guests live on
     * storage libvirt does not manage): nothing to report, not a failure.
     */
    private static List<HostReport.Pool> pools(Connect host) throws LibvirtException {
        List<HostReport.Pool> pools = new ArrayList<>();
        String[] names;
        try {
            names = host.listStoragePools();
        } catch (LibvirtException e) {
            if (unsupported(e)) {
                return pools;
            }
            throw e;
        }
        for (String name : names) {
            StoragePool pool = host.storagePoolLookupByName(name);
            pools.add(new HostReport.Pool(name, LibvirtXml.poolType(pool.getXMLDesc(0)), pool.getInfo().capacity));
        }
        return pools;
    }

    /** The active libvirt networks; none without libvirt's network driver (bridges set up outside libvirt). */
    private static List<String> networks(Connect host) throws LibvirtException {
        try {
            return List.of(host.listNetworks());
        } catch (LibvirtException e) {
            if (unsupported(e)) {
                return List.of();
            }
            throw e;
        }
    }

    private static boolean unsupported(LibvirtException e) {
        return e.getError() != null && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_SUPPORT;
    }

    private record CompareKey(long peer, LibvirtXml.GuestCpu cpu) {
    }

    /** @param cpuNanos the running guest's CPU time as read first; null for a guest defined but not running */
    private static HostReport.Guest guest(Domain d, Long cpuNanos, HostProbe probe, Map<Long, Connect> peers,
            Map<CompareKey, Object> verdicts) throws LibvirtException {
        boolean running = cpuNanos != null;
        List<Long> runsOn = new ArrayList<>();
        List<HostReport.Refusal> refusedBy = new ArrayList<>();
        String xml = d.getXMLDesc(0);
        if (running) {
            LibvirtXml.GuestCpu cpu = LibvirtXml.guestCpu(xml);
            for (HostProbe.Peer peer : probe.peers()) {
                if (cpu.cpuXml() == null) {
                    break; // host-passthrough: libvirt cannot compare it; the vendor and family rules still apply
                }
                Connect at = peers.get(peer.hostId());
                if (at == null) {
                    continue; // not reachable: asked nothing
                }
                Object verdict = verdicts.computeIfAbsent(new CompareKey(peer.hostId(), cpu), k -> compare(at, cpu));
                if (verdict instanceof LibvirtNative.CpuVerdict v && v.runs()) {
                    runsOn.add(peer.hostId());
                } else if (verdict instanceof LibvirtNative.CpuVerdict v) {
                    refusedBy.add(new HostReport.Refusal(peer.hostId(), v.reason()));
                }
            }
        }
        var info = d.getInfo();
        return new HostReport.Guest(d.getName(), d.getUUIDString(), running, info.maxMem * 1024, info.nrVirtCpu, runsOn, refusedBy,
                PeerReach.ask(LibvirtXml.guestDevices(xml), peers), cpuNanos, running ? d.getID() : null);
    }

    /** Connects to every peer that answers; one that does not is left out, so that it appears in no answer. */
    private static void connect(List<HostProbe.Peer> all, Map<Long, Connect> into) {
        for (HostProbe.Peer peer : all) {
            try {
                into.put(peer.hostId(), LibvirtMigration.connect(peer.libvirtUri()));
            } catch (IOException | RuntimeException unreachable) {
                // the peer's own probe reports it unreachable; here it is simply not asked
            }
        }
    }

    /** libvirt's verdict from the peer, or the reason it could not be asked (then the guest is in neither list). */
    private static Object compare(Connect peer, LibvirtXml.GuestCpu cpu) {
        try {
            return LibvirtNative.compareHypervisorCpu(peer, cpu);
        } catch (IOException | RuntimeException e) {
            return e.getMessage();
        }
    }

    /** "QEMU 10.0.2, libvirt 11.3.0": libvirt encodes versions as major * 1,000,000 + minor * 1,000 + release. */
    private static String version(Connect host) throws LibvirtException {
        return "QEMU " + dotted(host.getVersion()) + ", libvirt " + dotted(host.getLibVersion());
    }

    static String dotted(long v) {
        return (v / 1_000_000) + "." + (v / 1_000 % 1_000) + "." + (v % 1_000);
    }

    private static void close(Connect c) {
        try {
            c.close();
        } catch (LibvirtException | RuntimeException ignored) {
            // closing anyway
        }
    }
}
