package dev.ferry.inventory.repository;

import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.VmState;
import dev.ferry.inventory.model.Vm;
import dev.ferry.inventory.model.Volume;
import dev.ferry.inventory.precheck.MigrationFacts;
import dev.ferry.inventory.precheck.MigrationFacts.HostFacts;
import dev.ferry.inventory.precheck.MigrationFacts.VmFacts;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * Reads what the pre-checks need and nothing more: the hosts in question with their load summed in the database, and
 * of their CPU flags, pools and networks only those the VM uses. A check costs the same with ten hosts in the fleet as
 * with ten thousand; a cluster-wide ranking costs what its cluster holds. Runs in the caller's session, so that a
 * reservation reads under the locks it took.
 */
@ApplicationScoped
public class PrecheckReader {

    @Inject
    HostGuestRepository guests;

    /** Which hosts: a list of ids, or every host of a cluster. */
    private record Selection(String where, String name, Object value) {
    }

    public static VmFacts vmFacts(Vm vm) {
        Set<Long> pools = vm.volumes.stream().map((Volume v) -> v.poolId).collect(Collectors.toSet());
        return new VmFacts(vm.id, vm.name, vm.state == VmState.RUNNING, vm.hostId, vm.memoryBytes, vm.vcpus, pools,
                new HashSet<>(vm.networkIds), vm.cpuVendor, vm.cpuFamily, new HashSet<>(vm.cpuFeatures));
    }

    /**
     * The VM's facts with what its host's libvirtd last said about the guest of the VM's name (the GUEST_ON_SOURCE,
     * LIBVIRT_CPU, STORAGE_REACHABLE and NETWORKS_CARRIED rules), if that host reported one.
     */
    public Uni<VmFacts> vm(Vm vm) {
        VmFacts plain = vmFacts(vm);
        return guests.guest(vm.hostId, vm.name).map(g -> g == null ? plain : plain.withLibvirt(g))
                .flatMap(facts -> placement(vm.id, Instant.now()).map(facts::withPlacement));
    }

    /**
     * The placement rules that name the VM (the VM_AFFINITY, VM_ANTI_AFFINITY and HOST_AFFINITY rules): each with the
     * other VMs it names, where they run and where a hold unexpired at {@code now} is taking them, and its hosts.
     */
    Uni<List<MigrationFacts.PlacementFacts>> placement(long vmId, Instant now) {
        Selection vm = new Selection("", "vm", vmId);
        return rows(vm, "SELECT r.id, r.name, r.kind FROM placement_rule r JOIN placement_rule_vm m ON m.rule_id = r.id "
                + "WHERE m.vm_id = :vm ORDER BY r.name", Map.of()).flatMap(rules -> {
            if (rules.isEmpty()) {
                return Uni.createFrom().item(List.of());
            }
            List<Long> ids = rules.stream().map(r -> asLong(r[0])).toList();
            return rows(vm, "SELECT m.rule_id, v.id, v.name, v.host_id, h.name, held.host_id, held.name FROM placement_rule_vm m "
                    + "JOIN vm v ON v.id = m.vm_id LEFT JOIN host h ON h.id = v.host_id "
                    + "LEFT JOIN LATERAL (SELECT r.host_id, rh.name FROM reservation r JOIN host rh ON rh.id = r.host_id "
                    + "  WHERE r.vm_id = v.id AND r.state = 'ACTIVE' AND r.expires_at > :now LIMIT 1) held ON true "
                    + "WHERE m.rule_id IN (:rules) AND v.id <> :vm ORDER BY v.name", Map.of("rules", ids, "now", now))
                    .flatMap(members -> rows(vm, "SELECT ph.rule_id, h.id, h.name FROM placement_rule_host ph "
                            + "JOIN host h ON h.id = ph.host_id WHERE ph.rule_id IN (SELECT rule_id FROM placement_rule_vm WHERE vm_id = :vm) "
                            + "ORDER BY h.name", Map.of()).map(hosts -> placement(rules, members, hosts)));
        });
    }

    private static List<MigrationFacts.PlacementFacts> placement(List<Object[]> rules, List<Object[]> members, List<Object[]> hosts) {
        List<MigrationFacts.PlacementFacts> out = new ArrayList<>();
        for (Object[] r : rules) {
            long id = asLong(r[0]);
            List<MigrationFacts.Member> others = new ArrayList<>();
            for (Object[] m : members) {
                if (asLong(m[0]) == id && m[3] != null) { // a VM on no host binds nothing yet
                    others.add(new MigrationFacts.Member(asLong(m[1]), (String) m[2], asLong(m[3]), (String) m[4],
                            m[5] == null ? null : asLong(m[5]), (String) m[6]));
                }
            }
            Map<Long, String> allowed = new LinkedHashMap<>();
            for (Object[] h : hosts) {
                if (asLong(h[0]) == id) {
                    allowed.put(asLong(h[1]), (String) h[2]);
                }
            }
            out.add(new MigrationFacts.PlacementFacts((String) r[1], dev.ferry.inventory.api.PlacementKind.valueOf((String) r[2]),
                    others, allowed));
        }
        return out;
    }

    /**
     * The facts of these hosts, by id; ids that name no host are absent. A hold counts while it has not expired at
     * {@code now}: the caller's clock, the same one that decides which holds it expires.
     */
    public Uni<Map<Long, HostFacts>> hosts(Set<Long> ids, VmFacts vm, Instant now) {
        return read(new Selection("h.id IN (:hosts)", "hosts", List.copyOf(ids)), vm, now);
    }

    /** The facts of every host of a cluster, by id, in name order. */
    public Uni<Map<Long, HostFacts>> cluster(long clusterId, VmFacts vm, Instant now) {
        return read(new Selection("h.cluster_id = :cluster", "cluster", clusterId), vm, now);
    }

    private Uni<Map<Long, HostFacts>> read(Selection s, VmFacts vm, Instant now) {
        // One statement after another: a reactive session runs one at a time.
        return rows(s, "SELECT h.id, h.name, h.state, h.cpu_vendor, h.cpu_family, h.cpu_model_name, h.memory_bytes, "
                        + "h.memory_overcommit, h.cpu_sockets, h.cpu_cores, h.cpu_overcommit, placed.mem, placed.cpus, held.mem, held.cpus, "
                        + "h.libvirt_uri, h.last_report_at, h.unreachable_reason "
                        + "FROM host h "
                        + "CROSS JOIN LATERAL (SELECT COALESCE(sum(v.memory_bytes), 0) AS mem, COALESCE(sum(v.vcpus), 0) AS cpus "
                        + "  FROM vm v WHERE v.host_id = h.id) placed "
                        + "CROSS JOIN LATERAL (SELECT COALESCE(sum(r.memory_bytes), 0) AS mem, COALESCE(sum(r.vcpus), 0) AS cpus "
                        + "  FROM reservation r WHERE r.host_id = h.id AND r.state = 'ACTIVE' AND r.expires_at > :now) held "
                        + "WHERE " + s.where() + " ORDER BY h.name", Map.of("now", now))
                .flatMap(hosts -> pairs(s, "SELECT f.host_id, f.flag FROM host_cpu_flag f JOIN host h ON h.id = f.host_id "
                        + "WHERE " + s.where() + " AND f.flag IN (:wanted)", vm.requiredCpuFeatures(), Object::toString)
                        .flatMap(flags -> pairs(s, "SELECT p.host_id, p.pool_id FROM storage_pool_host p JOIN host h ON h.id = p.host_id "
                                + "WHERE " + s.where() + " AND p.pool_id IN (:wanted)", vm.volumePoolIds(), PrecheckReader::asLong)
                                .flatMap(pools -> pairs(s, "SELECT n.host_id, n.network_id FROM network_host n JOIN host h ON h.id = n.host_id "
                                        + "WHERE " + s.where() + " AND n.network_id IN (:wanted)", vm.networkIds(), PrecheckReader::asLong)
                                        .map(networks -> facts(hosts, flags, pools, networks)))));
    }

    private static Map<Long, HostFacts> facts(List<Object[]> hosts, Map<Long, Set<Object>> flags, Map<Long, Set<Object>> pools,
            Map<Long, Set<Object>> networks) {
        Map<Long, HostFacts> out = new LinkedHashMap<>();
        for (Object[] r : hosts) {
            long id = asLong(r[0]);
            HostState state = HostState.valueOf((String) r[2]);
            long allocatableMemory = (long) (asLong(r[6]) * ((Number) r[7]).doubleValue());
            long allocatableVcpus = (long) Math.floor(asLong(r[8]) * asLong(r[9]) * ((Number) r[10]).doubleValue());
            out.put(id, new HostFacts(id, (String) r[1], state == HostState.UP, state.name(), (String) r[3],
                    ((Number) r[4]).intValue(), (String) r[5], typed(flags.get(id), String.class), allocatableMemory,
                    allocatableVcpus, asLong(r[11]) + asLong(r[13]), asLong(r[12]) + asLong(r[14]),
                    typed(pools.get(id), Long.class), typed(networks.get(id), Long.class),
                    r[15] == null ? null : new MigrationFacts.HostLibvirt((String) r[15], instant(r[16]), (String) r[17])));
        }
        return out;
    }

    /** A timestamptz column as a native query returns it (OffsetDateTime from the reactive driver), or null. */
    static Instant instant(Object at) {
        return at instanceof java.time.OffsetDateTime o ? o.toInstant() : at instanceof Instant i ? i : null;
    }

    private static <T> Set<T> typed(Set<Object> values, Class<T> type) {
        Set<T> out = new HashSet<>();
        if (values != null) {
            values.forEach(v -> out.add(type.cast(v)));
        }
        return out;
    }

    /** host id -> the second column, for the values the VM asks about; nothing asked, nothing read. */
    private Uni<Map<Long, Set<Object>>> pairs(Selection s, String sql, Set<?> wanted, Function<Object, Object> value) {
        if (wanted.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return rows(s, sql, Map.of("wanted", new ArrayList<>(wanted))).map(rows -> {
            Map<Long, Set<Object>> out = new HashMap<>();
            for (Object[] r : rows) {
                out.computeIfAbsent(asLong(r[0]), k -> new HashSet<>()).add(value.apply(r[1]));
            }
            return out;
        });
    }

    private static Uni<List<Object[]>> rows(Selection s, String sql, Map<String, Object> more) {
        return Panache.getSession().flatMap(session -> {
            Mutiny.SelectionQuery<Object[]> q = session.createNativeQuery(sql, Object[].class).setParameter(s.name(), s.value());
            more.forEach(q::setParameter);
            return q.getResultList();
        });
    }

    private static long asLong(Object o) {
        return ((Number) o).longValue();
    }
}
