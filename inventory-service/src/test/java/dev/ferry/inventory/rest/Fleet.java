package dev.ferry.inventory.rest;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Builds a small fleet through the public API, with names unique to one test. */
final class Fleet {
    static final long GIB = 1L << 30;
    final String tag = UUID.randomUUID().toString().substring(0, 8);
    final long clusterId;
    final long poolId;
    final long networkId;
    final long[] hosts;

    Fleet(int hostCount, long hostMemoryGib) {
        this(hostCount, hostMemoryGib, null);
    }

    /**
     * @param intelModels each host's CPU as its model name, all of Intel's family 6 model 15 ("Intel Xeon 5130" at
     *                    2000 MHz, "Intel Xeon 5120" at 1866 MHz, as the seed has them); null: a generic Intel CPU each
     */
    Fleet(int hostCount, long hostMemoryGib, List<String> intelModels) {
        clusterId = post("/clusters", Map.of("name", "c-" + tag));
        hosts = new long[hostCount];
        for (int i = 0; i < hostCount; i++) {
            Map<String, Object> body = new java.util.HashMap<>(hostBody("hv" + i, "GenuineIntel", 6, hostMemoryGib,
                    List.of("sse4_2", "avx")));
            if (intelModels != null) {
                String model = intelModels.get(i);
                body.put("cpu", Map.of("vendor", "GenuineIntel", "family", 6, "model", 15, "modelName", model,
                        "mhz", model.endsWith("5120") ? 1866 : 2000, "sockets", 2, "cores", 4, "flags", List.of("sse4_2", "avx")));
            }
            hosts[i] = post("/hosts", body);
        }
        poolId = post("/storage-pools", Map.of("name", "nfs-" + tag, "type", "NFS", "scope", "CLUSTER",
                "capacityBytes", 1000 * GIB, "hostIds", List.of(hosts[0], hosts[1])));
        networkId = post("/networks", Map.of("name", "net-" + tag, "vlan", 100,
                "hostIds", List.of(hosts[0], hosts[1])));
    }

    long host(String name, String vendor, int family, long memoryGib) {
        return post("/hosts", hostBody(name, vendor, family, memoryGib, List.of("sse4_2", "avx")));
    }

    Map<String, Object> hostBody(String name, String vendor, int family, long memoryGib, List<String> flags) {
        return Map.of("name", name + "-" + tag, "clusterId", clusterId,
                "cpu", Map.of("vendor", vendor, "family", family, "model", 15, "modelName", vendor + " model",
                        "mhz", 2000, "sockets", 2, "cores", 4, "flags", flags),
                "memoryBytes", memoryGib * GIB, "hypervisorType", "KVM", "hypervisorVersion", "QEMU 10.0.2",
                "migrationAddress", "10.0.0.1", "linkBandwidthBytesPerSecond", 1_250_000_000L);
    }

    long vm(String name, long hostId, long memoryGib) {
        return post("/vms", Map.of("name", name + "-" + tag, "memoryBytes", memoryGib * GIB, "vcpus", 1,
                "hostId", hostId, "volumes", List.of(Map.of("poolId", poolId, "sizeBytes", 10 * GIB)),
                "networkIds", List.of(networkId)));
    }

    static long post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }
}
