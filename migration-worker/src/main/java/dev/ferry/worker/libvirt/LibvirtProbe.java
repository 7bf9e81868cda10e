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
 * hypervisor can run its CPU definition, with libvirt's own comparison; the pre-checks use those answers. A peer that
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
            Map<String, CpuReading> first = new HashMap<>();
            for (int id : host.listDomains()) {
                Domain d = host.domainLookupByID(id);
                first.put(d.getName(), CpuReading.of(d));
                guests.add(guest(d, true, probe, peers, verdicts));
            }
            for (String name : host.listDefinedDomains()) {
                guests.add(guest(host.domainLookupByName(name), false, probe, peers, verdicts));
            }
            guests = measured(host, guests, first);
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
     * How long the guests' CPU time is watched: long enough that a second's jitter in the scheduler's ticks is a few
     * percent of it, short enough to keep the probe quick. The comparisons with the peers run inside the window.
     */
    static final long SAMPLE_WINDOW_NANOS = 1_000_000_000L;

    /** A guest's CPU time (libvirt's, in nanoseconds: all of its QEMU threads) and when it was read. */
    record CpuReading(long cpuNanos, long atNanos) {
        static CpuReading of(Domain d) throws LibvirtException {
            return new CpuReading(d.getInfo().cpuTime, System.nanoTime());
        }

        /** Cores used between this reading and a later one: CPU time per wall time; null when no time passed. */
        Double coresUntil(CpuReading later) {
            long wall = later.atNanos - atNanos;
            return wall <= 0 ? null : Math.max(0, later.cpuNanos - cpuNanos) / (double) wall;
        }
    }

    /**
     * Each running guest's CPU use over the window since its first reading: read again once the window has passed. A
     * guest that stopped or left meanwhile keeps no measurement (it is not running here any more).
     */
    private static List<HostReport.Guest> measured(Connect host, List<HostReport.Guest> guests, Map<String, CpuReading> first)
            throws LibvirtException {
        if (first.isEmpty()) {
            return guests;
        }
        long waitUntil = first.values().stream().mapToLong(CpuReading::atNanos).min().orElseThrow() + SAMPLE_WINDOW_NANOS;
        long left = waitUntil - System.nanoTime();
        if (left > 0) {
            try {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the probe was cut off: report what it has, unmeasured
                return guests;
            }
        }
        List<HostReport.Guest> out = new ArrayList<>();
        for (HostReport.Guest g : guests) {
            CpuReading before = first.get(g.name());
            Double cores = null;
            if (g.running() && before != null) {
                try {
                    cores = before.coresUntil(CpuReading.of(host.domainLookupByName(g.name())));
                } catch (LibvirtException gone) {
                    // shut off or migrated away inside the window: nothing to say about it
                }
            }
            out.add(g.measured(cores));
        }
        return out;
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

    private static HostReport.Guest guest(Domain d, boolean running, HostProbe probe, Map<Long, Connect> peers,
            Map<CompareKey, Object> verdicts) throws LibvirtException {
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
                PeerReach.ask(LibvirtXml.guestDevices(xml), peers));
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
