package dev.ferry.inventory.repository;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.events.HostReport;
import dev.ferry.inventory.discovery.GuestCpu;
import dev.ferry.inventory.precheck.MigrationFacts.LibvirtGuest;
import dev.ferry.inventory.precheck.MigrationFacts.PeerAnswers;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The guests each libvirt host runs (host_guest), as its last report said, with the other hosts' answers about each
 * guest's CPU, disks and networks. Replaced by each report; a completed migration carries its guest's row to the
 * destination at once, so that the next pre-check of the VM does not wait for a sync to find it there. Runs in the
 * caller's session and transaction.
 */
@ApplicationScoped
public class HostGuestRepository {
    /** The sync interval: how far apart two readings of a guest's CPU time may be and still give its load. */
    @jakarta.inject.Inject
    dev.ferry.inventory.InventoryConfig config;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * What a host's report says it runs replaces what it said before; each running guest's CPU time is compared with the
     * last report's reading of it ({@link GuestCpu}), and the load found is kept on the row and given to the VM.
     */
    public Uni<Void> replace(long hostId, HostReport r) {
        java.time.Duration maxWindow = GuestCpu.maxWindow(io.quarkus.runtime.configuration.DurationConverter.parseDuration(
                config.hostSyncInterval()));
        return cpuStates(hostId).flatMap(before -> Panache.getSession().flatMap(s -> s.createNativeQuery("DELETE FROM host_guest WHERE host_id = :h")
                .setParameter("h", hostId).executeUpdate()).flatMap(x -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (HostReport.Guest g : r.guests()) {
                        HostReport.Reach reach = g.reach();
                        GuestCpu.State cpu = GuestCpu.next(before.getOrDefault(g.name(), GuestCpu.State.NONE), g.uuid(),
                                g.domainId(), g.running() ? g.cpuTimeNanos() : null, r.observedAt(), maxWindow);
                        chain = chain.call(() -> Panache.getSession().flatMap(s -> s.createNativeQuery(
                                        "INSERT INTO host_guest (host_id, name, uuid, running, memory_bytes, vcpus, cpu_runs_on, cpu_refusals, "
                                                + "disks_reached_by, disk_refusals, networks_reached_by, network_refusals, observed_at, "
                                                + "cpu_time_nanos, cpu_read_at, cpu_cores_used, cpu_cores_at, cpu_domain_id) "
                                                + "VALUES (:h, :n, :u, :r, :m, :v, :runs, :ref, :dy, :dn, :ny, :nn, :at, CAST(:cpuNanos AS BIGINT), "
                                                + "CAST(:cpuAt AS TIMESTAMPTZ), CAST(:cores AS DOUBLE PRECISION), CAST(:coresAt AS TIMESTAMPTZ), "
                                                + "CAST(:domain AS INTEGER))")
                                .setParameter("h", hostId).setParameter("n", g.name()).setParameter("u", g.uuid())
                                .setParameter("r", g.running()).setParameter("m", g.memoryBytes()).setParameter("v", g.vcpus())
                                .setParameter("runs", g.cpuRunsOn().toArray(Long[]::new)).setParameter("ref", json(g.cpuRefusedBy()))
                                .setParameter("dy", reach.disksReachedBy().toArray(Long[]::new)).setParameter("dn", json(reach.disksRefusedBy()))
                                .setParameter("ny", reach.networksReachedBy().toArray(Long[]::new))
                                .setParameter("nn", json(reach.networksRefusedBy())).setParameter("at", r.observedAt())
                                .setParameter("cpuNanos", cpu.cpuNanos()).setParameter("cpuAt", cpu.readAt())
                                .setParameter("cores", cpu.coresUsed()).setParameter("coresAt", cpu.coresAt())
                                .setParameter("domain", cpu.domainId())
                                .executeUpdate()));
                    }
                    return chain;
                })).call(() -> measured(hostId));
    }

    /** The CPU readings and loads the host's last report left, by guest name. */
    private static Uni<Map<String, GuestCpu.State>> cpuStates(long hostId) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT name, uuid, cpu_time_nanos, cpu_read_at, cpu_cores_used, "
                        + "cpu_cores_at, cpu_domain_id FROM host_guest WHERE host_id = :h", Object[].class).setParameter("h", hostId).getResultList())
                .map(rows -> {
                    Map<String, GuestCpu.State> out = new HashMap<>();
                    for (Object[] row : rows) {
                        out.put((String) row[0], new GuestCpu.State((String) row[1], row[6] == null ? null : ((Number) row[6]).intValue(),
                                row[2] == null ? null : ((Number) row[2]).longValue(),
                                PrecheckReader.instant(row[3]), row[4] == null ? null : ((Number) row[4]).doubleValue(),
                                PrecheckReader.instant(row[5])));
                    }
                    return out;
                });
    }

    /**
     * The VMs inventory places on this host take the load found for their guests (same name, running), with the end of
     * its window. A VM none was found for keeps its last one and its date: the reader judges its age. A VM whose row
     * another transaction holds is skipped: a migration's commit locks the VM and then the guest rows this report
     * holds, so waiting for it here could deadlock; that VM gets its load from the next report.
     */
    private static Uni<Integer> measured(long hostId) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("UPDATE vm v SET cpu_cores_used = g.cpu_cores_used, "
                        + "cpu_measured_at = g.cpu_cores_at FROM host_guest g WHERE g.host_id = :h AND v.host_id = :h "
                        + "AND g.name = v.name AND g.running AND g.cpu_cores_used IS NOT NULL "
                        + "AND v.id IN (SELECT id FROM vm WHERE host_id = :h FOR UPDATE SKIP LOCKED)")
                .setParameter("h", hostId).executeUpdate());
    }

    /**
     * A migration of the guest from {@code from} to {@code to} succeeded (the worker found it running there): its row
     * moves with it. The host it left evidently ran its CPU and reached its disks and networks, so it joins those
     * answers; the rest stay as the last sync gave them until the next one.
     */
    public Uni<Void> followMigration(String name, long from, long to) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("DELETE FROM host_guest WHERE host_id = :to AND name = :n")
                        .setParameter("to", to).setParameter("n", name).executeUpdate())
                // a new hypervisor process runs the guest there: its CPU time starts again (its load stays the guest's)
                .flatMap(x -> Panache.getSession().flatMap(s -> s.createNativeQuery("UPDATE host_guest SET host_id = :to, running = true, "
                                + "cpu_time_nanos = NULL, cpu_read_at = NULL, cpu_domain_id = NULL, "
                                + "cpu_runs_on = array_append(array_remove(array_remove(cpu_runs_on, CAST(:to AS BIGINT)), CAST(:from AS BIGINT)), CAST(:from AS BIGINT)), "
                                + "disks_reached_by = array_append(array_remove(array_remove(disks_reached_by, CAST(:to AS BIGINT)), CAST(:from AS BIGINT)), CAST(:from AS BIGINT)), "
                                + "networks_reached_by = array_append(array_remove(array_remove(networks_reached_by, CAST(:to AS BIGINT)), CAST(:from AS BIGINT)), CAST(:from AS BIGINT)) "
                                + "WHERE host_id = :from AND name = :n")
                        .setParameter("to", to).setParameter("from", from).setParameter("n", name).executeUpdate()))
                .replaceWithVoid();
    }

    /** What the host last said about the guest of this name, or null when it reported none. */
    public Uni<LibvirtGuest> guest(long hostId, String name) {
        // arrays as text: Hibernate Reactive reads no BIGINT[] in a native query
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT g.running, array_to_string(g.cpu_runs_on, ','), g.cpu_refusals, "
                                + "array_to_string(g.disks_reached_by, ','), g.disk_refusals, array_to_string(g.networks_reached_by, ','), "
                                + "g.network_refusals, g.observed_at FROM host_guest g WHERE g.host_id = :host AND g.name = :name", Object[].class)
                        .setParameter("host", hostId).setParameter("name", name).getResultList())
                .map(rows -> rows.isEmpty() ? null : guest(rows.get(0)));
    }

    private static LibvirtGuest guest(Object[] row) {
        return new LibvirtGuest((Boolean) row[0], answers(row[1], row[2]), answers(row[3], row[4]), answers(row[5], row[6]),
                PrecheckReader.instant(row[7]));
    }

    private static PeerAnswers answers(Object ids, Object refusals) {
        Set<Long> yes = new HashSet<>();
        for (String id : ((String) ids).split(",")) {
            if (!id.isBlank()) {
                yes.add(Long.parseLong(id.trim()));
            }
        }
        Map<Long, String> no = new HashMap<>();
        try {
            for (var r : JSON.readTree((String) refusals)) {
                no.put(r.path("hostId").asLong(), r.path("reason").asText());
            }
        } catch (IOException e) {
            throw new IllegalStateException("host_guest refusals are not JSON: " + e.getMessage(), e);
        }
        return new PeerAnswers(yes, no);
    }

    private static String json(List<HostReport.Refusal> refusals) {
        try {
            return JSON.writeValueAsString(refusals);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
