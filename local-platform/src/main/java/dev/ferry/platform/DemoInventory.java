package dev.ferry.platform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads the demo fleet through inventory-service's public API: a cluster of five hosts (three Intel
 * hosts of one family at two speeds on shared NFS, an AMD host on local storage, a host in maintenance),
 * each with its CPU flags, two VLANs, and six VMs with volumes, NICs and a named guest CPU model with the
 * features it uses. Loading twice changes nothing.
 */
public final class DemoInventory {
    static final String CLUSTER = "demo-cluster";
    static final long GIB = 1L << 30;
    static final long TEN_GBE = 1_250_000_000L;

    private DemoInventory() {
    }

    static void load(String inventory) {
        for (JsonNode c : Http.get(inventory + "/clusters")) {
            if (CLUSTER.equals(c.path("name").asText())) {
                System.out.println("demo inventory already loaded (cluster " + CLUSTER + ")");
                return;
            }
        }
        long cluster = id(Http.post(inventory + "/clusters", Map.of("name", CLUSTER)));
        long hv1 = host(inventory, cluster, "hv-01", "GenuineIntel", 6, "Intel Xeon 5130", 2000, "UP");
        long hv2 = host(inventory, cluster, "hv-02", "GenuineIntel", 6, "Intel Xeon 5120", 1860, "UP");
        long hv3 = host(inventory, cluster, "hv-03", "GenuineIntel", 6, "Intel Xeon 5130", 2000, "UP");
        long hv4 = host(inventory, cluster, "hv-04", "AuthenticAMD", 15, "AMD Opteron 2218", 2600, "UP");
        long hv5 = host(inventory, cluster, "hv-05", "GenuineIntel", 6, "Intel Xeon 5130", 2000, "MAINTENANCE");
        long nfs = id(Http.post(inventory + "/storage-pools", Map.of("name", "nfs-primary", "type", "NFS",
                "scope", "CLUSTER", "capacityBytes", 20L * 1024 * GIB, "hostIds", List.of(hv1, hv2, hv3, hv5))));
        long local = id(Http.post(inventory + "/storage-pools", Map.of("name", "local-hv-04", "type", "LOCAL",
                "scope", "HOST", "capacityBytes", 2L * 1024 * GIB, "hostIds", List.of(hv4))));
        long guest = id(Http.post(inventory + "/networks", Map.of("name", "guest-vlan-100", "vlan", 100,
                "hostIds", List.of(hv1, hv2, hv3, hv4, hv5))));
        long backend = id(Http.post(inventory + "/networks", Map.of("name", "backend-vlan-200", "vlan", 200,
                "hostIds", List.of(hv1, hv2, hv3))));
        vm(inventory, "web-1", 8, 4, hv1, nfs, List.of(guest));
        vm(inventory, "web-2", 4, 2, hv1, nfs, List.of(guest));
        vm(inventory, "db-1", 16, 8, hv2, nfs, List.of(guest, backend));
        vm(inventory, "cache-1", 2, 2, hv2, nfs, List.of(backend));
        vm(inventory, "app-1", 6, 4, hv3, nfs, List.of(guest, backend));
        vm(inventory, "batch-1", 4, 2, hv4, local, List.of(guest));
        System.out.println("demo inventory loaded: cluster " + CLUSTER + ", 5 hosts, 2 storage pools, 2 networks, 6 VMs");
    }

    private static long host(String inventory, long cluster, String name, String vendor, int family, String model,
            int mhz, String state) {
        List<String> flags = vendor.equals("GenuineIntel") ? List.of("sse4_1", "ssse3", "vmx", "lm", "nx")
                : List.of("sse3", "svm", "lm", "nx", "3dnowext");
        Map<String, Object> cpu = Map.of("vendor", vendor, "family", family, "model", 15, "modelName", model,
                "mhz", mhz, "sockets", 2, "cores", 4, "flags", flags);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("clusterId", cluster);
        body.put("state", state);
        body.put("cpu", cpu);
        body.put("memoryBytes", 64 * GIB);
        body.put("hypervisorType", "KVM");
        body.put("hypervisorVersion", "QEMU 10.0.2 (simulated)");
        body.put("migrationAddress", "192.0.2." + name.substring(3));
        body.put("linkBandwidthBytesPerSecond", TEN_GBE);
        return id(Http.post(inventory + "/hosts", body));
    }

    private static void vm(String inventory, String name, long memoryGib, int vcpus, long host, long pool, List<Long> networks) {
        // Guests see a Core 2 era CPU model: the features every host of the Intel family offers.
        Map<String, Object> cpu = Map.of("modelName", "Core2Duo", "features", List.of("sse4_1", "ssse3", "lm", "nx"));
        if (name.startsWith("batch")) {
            cpu = Map.of("modelName", "Opteron_G2", "features", List.of("sse3", "lm", "nx"));
        }
        Http.post(inventory + "/vms", Map.of("name", name, "memoryBytes", memoryGib * GIB, "vcpus", vcpus, "hostId", host,
                "volumes", List.of(Map.of("poolId", pool, "sizeBytes", 40 * GIB)), "networkIds", networks, "cpu", cpu));
    }

    private static long id(JsonNode created) {
        return created.path("id").asLong();
    }
}
