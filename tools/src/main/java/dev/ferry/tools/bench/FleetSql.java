package dev.ferry.tools.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A benchmark's fleet written straight into inventory's tables with set-based SQL: thousands of hosts and VMs in
 * seconds, where the REST API would take minutes. Each cluster gets one shared pool and one network of its own id,
 * attached to all its hosts; every VM has a volume in its host's cluster's pool and a NIC on its network. What differs
 * between benchmarks is given as SQL expressions over {@code h} (a host id) and {@code v} (a VM id).
 *
 * @param clusterName  cluster names are this followed by the id
 * @param clusterOf    the cluster of host {@code h}
 * @param hostState    the state of host {@code h} ('UP', 'MAINTENANCE', ...)
 * @param cpuVendor    the CPU vendor of host {@code h}
 * @param flagWhere    which of {@code flags} host {@code h} has, over {@code f} ("true": all)
 * @param hostOf       the host of VM {@code v}
 * @param vmMemory     the memory in bytes of VM {@code v}
 * @param vmVcpus      the vCPUs of VM {@code v}
 * @param avx2Where    which VMs need avx2, over {@code v}; null: none
 */
record FleetSql(String clusterName, long firstCluster, int clusters, long firstHost, int hosts, String clusterOf,
        String hostState, String cpuVendor, long hostMemoryBytes, long linkBytesPerSecond, int maxInbound, int maxOutbound,
        List<String> flags, String flagWhere, long firstVm, long vms, String hostOf, String vmMemory, String vmVcpus,
        long volumeBytes, String avx2Where) {

    static final long GIB = 1L << 30;

    void load(int dbPort) throws SQLException {
        String hostRange = "generate_series(" + firstHost + ", " + (firstHost + hosts - 1) + ") h";
        String clusterRange = "generate_series(" + firstCluster + ", " + (firstCluster + clusters - 1) + ") g";
        String vmRange = "generate_series(" + firstVm + ", " + (firstVm + vms - 1) + ") v";
        String clusterOfVm = "(SELECT cluster_id FROM host WHERE id = " + hostOf + ")";
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + dbPort + "/ferry_inventory", "ferry", "ferry");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO cluster (id, name) SELECT g, '" + clusterName + "' || g FROM " + clusterRange);
            s.execute("INSERT INTO host (id, name, cluster_id, state, cpu_vendor, cpu_family, cpu_model, cpu_model_name, cpu_mhz, "
                    + "cpu_sockets, cpu_cores, memory_bytes, memory_overcommit, cpu_overcommit, hypervisor_type, hypervisor_version, "
                    + "migration_address, link_bandwidth_bytes_per_second, max_inbound_migrations, max_outbound_migrations) "
                    + "SELECT h, 'bench-hv-' || h, " + clusterOf + ", " + hostState + ", " + cpuVendor + ", 6, 15, 'Xeon', 2000, 2, 16, "
                    + hostMemoryBytes + ", 1.0, 4.0, 'KVM', 'QEMU 10.0.2', '10.0.0.1', " + linkBytesPerSecond + ", " + maxInbound
                    + ", " + maxOutbound + " FROM " + hostRange);
            s.execute("INSERT INTO host_cpu_flag (host_id, flag) SELECT h, f FROM " + hostRange + ", unnest(ARRAY['"
                    + String.join("', '", flags) + "']) f WHERE " + flagWhere);
            s.execute("INSERT INTO storage_pool (id, name, type, scope, capacity_bytes) SELECT g, 'bench-nfs-' || g, 'NFS', 'CLUSTER', "
                    + (1L << 50) + " FROM " + clusterRange);
            s.execute("INSERT INTO storage_pool_host (pool_id, host_id) SELECT " + clusterOf + ", h FROM " + hostRange);
            s.execute("INSERT INTO network (id, name, vlan) SELECT g, 'bench-net-' || g, 100 FROM " + clusterRange);
            s.execute("INSERT INTO network_host (network_id, host_id) SELECT " + clusterOf + ", h FROM " + hostRange);
            s.execute("INSERT INTO vm (id, name, memory_bytes, vcpus, host_id, state) SELECT v, 'bench-vm-' || v, " + vmMemory + ", "
                    + vmVcpus + ", " + hostOf + ", 'RUNNING' FROM " + vmRange);
            s.execute("INSERT INTO vm_volume (vm_id, pool_id, size_bytes) SELECT v, " + clusterOfVm + ", " + volumeBytes + " FROM " + vmRange);
            s.execute("INSERT INTO vm_nic (vm_id, network_id) SELECT v, " + clusterOfVm + " FROM " + vmRange);
            if (avx2Where != null) {
                s.execute("INSERT INTO vm_cpu_feature (vm_id, feature) SELECT v, 'avx2' FROM " + vmRange + " WHERE " + avx2Where);
            }
            // later inserts through the API must not collide with the ids written here
            for (String t : List.of("cluster", "host", "storage_pool", "network", "vm")) {
                s.execute("SELECT setval(pg_get_serial_sequence('" + t + "', 'id'), (SELECT max(id) FROM " + t + "))");
            }
            s.execute("ANALYZE");
        }
    }
}
