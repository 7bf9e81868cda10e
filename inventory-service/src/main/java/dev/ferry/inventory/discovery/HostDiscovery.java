package dev.ferry.inventory.discovery;

import dev.ferry.events.HostProbe;
import dev.ferry.events.HostReport;
import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.Requests.DiscoverHost;
import dev.ferry.inventory.events.InventoryEventLog;
import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.repository.HostGuestRepository;
import dev.ferry.inventory.repository.HostRepository;
import dev.ferry.inventory.service.HostService;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;

/**
 * Hosts as their libvirtd describes them. Inventory never talks to a hypervisor: it asks the workers with a probe
 * (host-probes) and applies their report (host-reports). Registering a host by its libvirt URI creates it DISCOVERING
 * and asks at once; the report fills in the CPU, memory and versions and makes it UP. Every report also replaces the
 * host's guest list (which the GUEST_ON_SOURCE, LIBVIRT_CPU and reachability pre-checks read) and is compared with where inventory places VMs: each
 * difference is raised as a discrepancy, and no VM is moved on a report's word.
 */
@ApplicationScoped
public class HostDiscovery {
    /** A probe no worker answered in time (see {@link #raiseUnanswered}). */
    public static final String PROBE_UNANSWERED = "PROBE_UNANSWERED";
    private static final Logger LOG = Logger.getLogger(HostDiscovery.class);

    @Inject
    HostRepository hosts;

    @Inject
    HostService hostService;

    @Inject
    InventoryEventLog events;

    @Inject
    HostGuestRepository guests;

    /** Registers a host by its URI: DISCOVERING, with nothing known of it yet, and a probe on its way. */
    @WithTransaction
    public Uni<Host> discover(DiscoverHost req) {
        return hostService.createDiscovering(req).call(this::probe);
    }

    /** Probes one host now (an operator's "refresh"); only a host with a libvirt URI can be asked. */
    @WithTransaction
    public Uni<Host> probeNow(long id) {
        return hosts.findById(id).onItem().ifNull().failWith(() -> ProblemException.notFound("Host", id))
                .call(h -> h.libvirtUri == null
                        ? Uni.createFrom().failure(ProblemException.conflict("no-libvirt-uri",
                                "host " + h.name + " has no libvirt URI: nothing can ask it what it is"))
                        : probe(h));
    }

    /**
     * The sync: probes every host with a libvirt URI that nobody probed within most of {@code interval}. Each host is
     * claimed with its row locked (skipping rows another replica holds), so that replicas ticking at once probe each
     * host once. Returns how many probes were sent.
     */
    @WithTransaction
    public Uni<Integer> probeDue(Duration interval) {
        Instant due = Instant.now().minus(interval.multipliedBy(9).dividedBy(10)); // a tick a little early still counts
        return claim("SELECT id FROM host WHERE libvirt_uri IS NOT NULL AND (probe_sent_at IS NULL OR probe_sent_at < :at) "
                + "ORDER BY id FOR UPDATE SKIP LOCKED", due).flatMap(this::probeEach);
    }

    /**
     * Probes no worker answered within {@code timeout}: raised as PROBE_UNANSWERED (no worker with the libvirt driver
     * runs, or none reads host-probes; the scheduler keeps one open discrepancy per host) and sent again, so that a
     * worker that comes back answers. At most once per timeout per host. Returns how many were raised.
     */
    @WithTransaction
    public Uni<Integer> raiseUnanswered(Duration timeout) {
        return claim("SELECT id FROM host WHERE libvirt_uri IS NOT NULL AND probe_sent_at < :at "
                + "AND (report_received_at IS NULL OR report_received_at < probe_sent_at) ORDER BY id FOR UPDATE SKIP LOCKED", Instant.now().minus(timeout))
                .call(ids -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Long id : ids) {
                        chain = chain.call(() -> hosts.findById(id).flatMap(h -> events.hostDiscrepancy(h.id, null, PROBE_UNANSWERED,
                                "no worker answered the probe of host " + h.name + " at " + h.libvirtUri + " within " + timeout
                                        + ": is a migration-worker with the libvirt driver running and reading host-probes?")));
                    }
                    return chain;
                })
                .flatMap(this::probeEach);
    }

    /** A probe for each of these hosts, naming every libvirt host of its cluster as a peer. */
    private Uni<Integer> probeEach(List<Long> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(0);
        }
        return hosts.list("libvirtUri is not null").call(all -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Host h : all) {
                if (ids.contains(h.id)) {
                    chain = chain.call(() -> probe(h, all));
                }
            }
            return chain;
        }).map(x -> ids.size());
    }

    private static Uni<List<Long>> claim(String sql, Instant at) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery(sql, Long.class).setParameter("at", at).getResultList());
    }

    private Uni<Void> probe(Host h) {
        return hosts.list("clusterId = ?1 and libvirtUri is not null", h.clusterId).flatMap(cluster -> probe(h, cluster));
    }

    /** The probe of one host, naming the other libvirt hosts of its cluster as the peers to compare guest CPUs with. */
    private Uni<Void> probe(Host h, List<Host> candidates) {
        List<HostProbe.Peer> peers = candidates.stream()
                .filter(o -> !o.id.equals(h.id) && o.clusterId.equals(h.clusterId) && o.libvirtUri != null)
                .map(o -> new HostProbe.Peer(o.id, o.libvirtUri)).toList();
        Instant now = Instant.now();
        // beside the entity's version: a probe changes nothing an operator edits
        return Panache.getSession().flatMap(s -> s.createNativeQuery("UPDATE host SET probe_sent_at = :now WHERE id = :id")
                        .setParameter("now", now).setParameter("id", h.id).executeUpdate())
                .flatMap(x -> events.probe(new HostProbe(UUID.randomUUID().toString(), h.id, h.libvirtUri, peers, now)));
    }

    /** Applies one report, in the caller's transaction (the consumer applies each report once). */
    public Uni<Void> apply(HostReport report) {
        return hosts.findById(report.hostId()).flatMap(h -> {
            if (h == null) {
                LOG.infof("report for host %d, which inventory no longer has: ignored", report.hostId());
                return Uni.createFrom().voidItem();
            }
            // by inventory's clock, which also stamps the probes: the watch compares the two
            return Panache.getSession().flatMap(s -> s.createNativeQuery("UPDATE host SET report_received_at = :now WHERE id = :id")
                    .setParameter("now", Instant.now()).setParameter("id", h.id).executeUpdate()).flatMap(x -> applyTo(h, report));
        });
    }

    private Uni<Void> applyTo(Host h, HostReport report) {
        if (h.lastReportAt != null && report.observedAt().isBefore(h.lastReportAt)) {
            return Uni.createFrom().voidItem(); // an older probe's answer, overtaken by a newer one
        }
        h.lastReportAt = report.observedAt();
        if (!report.reachable()) {
            boolean wasReachable = h.unreachableReason == null;
            h.unreachableReason = report.error();
            return wasReachable && h.state == HostState.UP
                    ? events.hostDiscrepancy(h.id, null, Reconciliation.HOST_UNREACHABLE, "host " + h.name
                            + " did not answer the probe at " + h.libvirtUri + ": " + report.error())
                    : Uni.createFrom().voidItem();
        }
        h.unreachableReason = null;
        fill(h, report);
        Uni<Void> state = Uni.createFrom().voidItem();
        if (h.state == HostState.DISCOVERING) {
            h.state = HostState.UP;
            state = events.hostStateChanged(h, HostState.DISCOVERING.name());
        }
        return state.call(() -> link(h.id, report)).call(() -> guests.replace(h.id, report)).call(() -> reconcile(h, report));
    }

    /** What the host says about itself replaces what inventory had. */
    static void fill(Host h, HostReport r) {
        HostReport.Cpu cpu = r.cpu();
        h.cpuVendor = Vendors.cpuid(cpu.vendor());
        h.cpuFamily = cpu.family();
        h.cpuModel = cpu.modelNumber();
        h.cpuModelName = cpu.model();
        h.cpuFlags = new HashSet<>(cpu.features());
        h.cpuMhz = cpu.mhz();
        h.cpuSockets = Math.max(1, cpu.sockets());
        h.cpuCores = Math.max(1, cpu.cores()) * Math.max(1, cpu.threads()); // hardware threads are what vCPUs share
        h.memoryBytes = r.memoryBytes();
        h.hypervisorVersion = r.hypervisorVersion();
    }

    /**
     * The host reaches the inventory's storage pools and carries the inventory's networks that it reports by the same
     * name: the links an operator would otherwise type. A pool inventory calls local or host-scoped is never linked to
     * a second host (every host's "default" directory pool has the same name and is not shared). Links are added, never
     * removed: a pool or network gone from the host since is caught by libvirt's own answer in the STORAGE_REACHABLE
     * and NETWORKS_CARRIED pre-checks, and unlinking is an operator's decision.
     */
    private Uni<Void> link(long hostId, HostReport r) {
        List<String> pools = new ArrayList<>(r.pools().stream().map(HostReport.Pool::name).toList());
        pools.add(""); // IN () must not be empty; no pool or network has a blank name
        List<String> networks = new ArrayList<>(r.networks());
        networks.add("");
        return Panache.getSession().flatMap(s -> s.createNativeQuery("INSERT INTO storage_pool_host (pool_id, host_id) SELECT p.id, :h "
                                + "FROM storage_pool p WHERE p.name IN (:names) AND p.scope <> 'HOST' AND p.type <> 'LOCAL' ON CONFLICT DO NOTHING")
                        .setParameter("h", hostId).setParameter("names", pools).executeUpdate())
                .flatMap(x -> Panache.getSession().flatMap(s -> s.createNativeQuery("INSERT INTO network_host (network_id, host_id) "
                                + "SELECT n.id, :h FROM network n WHERE n.name IN (:names) ON CONFLICT DO NOTHING")
                        .setParameter("h", hostId).setParameter("names", networks).executeUpdate()))
                .replaceWithVoid();
    }

    /** Compares the report's guests with inventory's placement; every difference becomes a discrepancy. */
    private Uni<Void> reconcile(Host h, HostReport r) {
        List<String> names = new ArrayList<>(r.guests().stream().map(HostReport.Guest::name).toList());
        names.add(""); // IN () must not be empty; no VM has a blank name
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT v.id, v.name, v.host_id, hv.name, v.state FROM vm v "
                                + "JOIN host hv ON hv.id = v.host_id WHERE v.host_id = :h OR v.name IN (:names)", Object[].class)
                        .setParameter("h", h.id).setParameter("names", names).getResultList())
                .flatMap(rows -> {
                    Map<String, Reconciliation.Placed> byName = new HashMap<>();
                    for (Object[] row : rows) {
                        byName.put((String) row[1], new Reconciliation.Placed(((Number) row[0]).longValue(), (String) row[1],
                                ((Number) row[2]).longValue(), (String) row[3], "RUNNING".equals(row[4])));
                    }
                    List<Long> ids = new ArrayList<>(byName.values().stream().map(Reconciliation.Placed::vmId).toList());
                    ids.add(-1L);
                    return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT r.vm_id FROM reservation r WHERE r.state = 'ACTIVE' "
                                    + "AND r.vm_id IN (:ids)", Object.class).setParameter("ids", ids).getResultList())
                            .map(moving -> Reconciliation.compare(h.id, h.name, r, byName,
                                    moving.stream().map(m -> ((Number) m).longValue()).collect(Collectors.toSet())));
                })
                .flatMap(differences -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Reconciliation.Difference d : differences) {
                        LOG.warnf("host %s: %s", h.name, d.detail());
                        chain = chain.call(() -> events.hostDiscrepancy(h.id, d.vmId(), d.kind(), d.detail()));
                    }
                    return chain;
                });
    }
}
