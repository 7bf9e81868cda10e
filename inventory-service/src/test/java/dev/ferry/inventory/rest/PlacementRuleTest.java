package dev.ferry.inventory.rest;

import static dev.ferry.inventory.rest.ReservationTest.reserve;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Placement rules through the API, as the reservations and the candidates of every move then honour them. */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events,host-probes,host-reports,host-reports-dlq")})
class PlacementRuleTest {

    /** Four hosts that all reach one pool and carry one network, so that only the rules tell them apart. */
    static final class Four {
        final Fleet fleet = new Fleet(4, 64);
        final long pool;
        final long network;

        Four() {
            List<Long> all = List.of(fleet.hosts[0], fleet.hosts[1], fleet.hosts[2], fleet.hosts[3]);
            pool = Fleet.post("/storage-pools", Map.of("name", "all-" + fleet.tag, "type", "NFS", "scope", "CLUSTER",
                    "capacityBytes", 1000 * Fleet.GIB, "hostIds", all));
            network = Fleet.post("/networks", Map.of("name", "all-" + fleet.tag, "vlan", 300, "hostIds", all));
        }

        long vm(String name, int host) {
            return Fleet.post("/vms", Map.of("name", name + "-" + fleet.tag, "memoryBytes", 2 * Fleet.GIB, "vcpus", 1,
                    "hostId", fleet.hosts[host], "volumes", List.of(Map.of("poolId", pool, "sizeBytes", Fleet.GIB)),
                    "networkIds", List.of(network)));
        }

        long host(int i) {
            return fleet.hosts[i];
        }
    }

    static long rule(String name, String kind, List<Long> vms, List<Long> hosts) {
        return Fleet.post("/placement-rules", Map.of("name", name, "kind", kind, "vmIds", vms, "hostIds", hosts));
    }

    /** The failed rules' messages of a refused reservation. */
    static List<String> refusal(long vm, long host) {
        return reserve(UUID.randomUUID(), vm, host).then().statusCode(422).extract().jsonPath().getList("failedRules.message", String.class);
    }

    /** Inventory's verdict on the host among the VM's candidates. */
    static Map<String, Object> verdict(long vm, long host) {
        List<Map<String, Object>> all = given().get("/vms/" + vm + "/candidates").then().statusCode(200).extract().jsonPath().getList("verdict");
        return all.stream().filter(v -> ((Number) v.get("hostId")).longValue() == host).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    static List<Object> failedCodes(Map<String, Object> verdict) {
        return ((List<Map<String, Object>>) verdict.get("failed")).stream().map(r -> r.get("code")).toList();
    }

    @Test
    void apartVmsNeverShareAHostNorAHostOneOfThemIsMovingTo() {
        Four f = new Four();
        long a = f.vm("a", 0);
        long b = f.vm("b", 1);
        long c = f.vm("c", 0);
        String name = "apart-" + f.fleet.tag;
        long id = rule(name, "APART", List.of(a, b, c), List.of());

        assertThat(refusal(a, f.host(1))).containsExactly("placement rule '" + name + "' keeps VM a-" + f.fleet.tag
                + " apart from b-" + f.fleet.tag + ", which runs on hv1-" + f.fleet.tag);
        Map<String, Object> onB = verdict(a, f.host(1));
        assertThat(onB.get("compatible")).isEqualTo(false);
        assertThat(failedCodes(onB)).containsExactly("VM_ANTI_AFFINITY");
        assertThat(verdict(a, f.host(2)).get("compatible")).isEqualTo(true);

        reserve(UUID.randomUUID(), a, f.host(2)).then().statusCode(201);
        assertThat(refusal(c, f.host(2))).singleElement().asString().endsWith("which is moving to hv2-" + f.fleet.tag);
        reserve(UUID.randomUUID(), c, f.host(3)).then().statusCode(201);

        // the rule gone, so is its refusal
        given().delete("/placement-rules/" + id).then().statusCode(204);
        reserve(UUID.randomUUID(), b, f.host(3)).then().statusCode(201);
        given().queryParam("entity", "placement rule").queryParam("entityId", id).get("/fleet-changes").then().statusCode(200)
                .body("action", equalTo(List.of("deleted", "created")));
    }

    @Test
    void aTogetherPairLeavesOneAtATimeAndTheSecondOnlyFollowsTheFirst() {
        Four f = new Four();
        long p = f.vm("p", 0);
        long q = f.vm("q", 0);
        String name = "pair-" + f.fleet.tag;
        rule(name, "TOGETHER", List.of(p, q), List.of());

        reserve(UUID.randomUUID(), p, f.host(1)).then().statusCode(201); // q stays beside p's old host: it follows later
        assertThat(refusal(q, f.host(2))).containsExactly("placement rule '" + name + "' keeps VM q-" + f.fleet.tag + " with p-"
                + f.fleet.tag + ", which is moving to hv1-" + f.fleet.tag + ", not on hv2-" + f.fleet.tag);
        reserve(UUID.randomUUID(), q, f.host(1)).then().statusCode(201);
    }

    @Test
    void twoVmsOfATogetherRuleReservedAtOnceForDifferentHostsCannotBothPass() throws Exception {
        Four f = new Four();
        long p = f.vm("p", 0);
        long q = f.vm("q", 0);
        String name = "race-" + f.fleet.tag;
        long id = rule(name, "TOGETHER", List.of(p, q), List.of());
        try (var holder = dev.ferry.testsupport.TestDatabase.connect("inventory_test");
                var watcher = dev.ferry.testsupport.TestDatabase.connect("inventory_test")) {
            // something else holds the rule (as a reservation of one of its VMs does while it is judged)
            holder.setAutoCommit(false);
            try (var lock = holder.prepareStatement("SELECT id FROM placement_rule WHERE id = ? FOR UPDATE")) {
                lock.setLong(1, id);
                lock.executeQuery().close();
            }
            var toHv1 = java.util.concurrent.CompletableFuture.supplyAsync(() -> reserve(UUID.randomUUID(), p, f.host(1)));
            var toHv2 = java.util.concurrent.CompletableFuture.supplyAsync(() -> reserve(UUID.randomUUID(), q, f.host(2)));

            // both wait for the rule before they read where the other VM is going: neither judges the other's old place
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> {
                try (var st = watcher.createStatement(); var rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity "
                        + "WHERE wait_event_type = 'Lock' AND query ILIKE '%placement_rule%'")) {
                    rs.next();
                    return rs.getInt(1) == 2;
                }
            });
            holder.commit();

            // one holds its host; the other is then judged against it and refused, naming the rule
            List<io.restassured.response.Response> answers = List.of(toHv1.get(), toHv2.get());
            assertThat(answers).extracting(io.restassured.response.Response::statusCode).containsExactlyInAnyOrder(201, 422);
            var refused = answers.stream().filter(r -> r.statusCode() == 422).findFirst().orElseThrow();
            assertThat(refused.jsonPath().getString("detail")).contains("VM_AFFINITY: placement rule '" + name + "' keeps VM");
        }
    }

    @Test
    void aVmBoundToHostsMayGoToThoseOnly() {
        Four f = new Four();
        long licensed = f.vm("licensed", 0);
        String name = "licence-" + f.fleet.tag;
        rule(name, "ON_HOSTS", List.of(licensed), List.of(f.host(0), f.host(2)));

        assertThat(refusal(licensed, f.host(1))).singleElement().asString().startsWith("placement rule '" + name + "' keeps VM licensed-")
                .endsWith(" only, not hv1-" + f.fleet.tag);
        assertThat(failedCodes(verdict(licensed, f.host(3)))).containsExactly("HOST_AFFINITY");
        reserve(UUID.randomUUID(), licensed, f.host(2)).then().statusCode(201);
        // the rules of a host's VMs, as the scheduler reads them before it plans an evacuation
        given().queryParam("hostId", f.host(0)).get("/placement-rules").then().statusCode(200).body("name", equalTo(List.of(name)));
        given().queryParam("clusterId", f.fleet.clusterId).get("/placement-rules").then().statusCode(200).body("name", equalTo(List.of(name)));
    }

    @Test
    void aRuleThatCannotMeanAnythingIsRefusedWithTheReason() {
        Four f = new Four();
        long a = f.vm("a", 0);
        long b = f.vm("b", 1);
        String name = "bad-" + f.fleet.tag;
        given().contentType(ContentType.JSON).body(Map.of("name", name, "kind", "APART", "vmIds", List.of(a)))
                .post("/placement-rules").then().statusCode(400).body("detail", containsString("two or more VMs"));
        given().contentType(ContentType.JSON).body(Map.of("name", name, "kind", "ON_HOSTS", "vmIds", List.of(a)))
                .post("/placement-rules").then().statusCode(400).body("field", equalTo("hostIds"));
        given().contentType(ContentType.JSON).body(Map.of("name", name, "kind", "TOGETHER", "vmIds", List.of(a, b), "hostIds", List.of(f.host(0))))
                .post("/placement-rules").then().statusCode(400).body("detail", containsString("leave hostIds out"));
        given().contentType(ContentType.JSON).body(Map.of("name", name, "kind", "APART", "vmIds", List.of(a, 987_654_321L)))
                .post("/placement-rules").then().statusCode(422).body("field", equalTo("vmIds"));
        given().contentType(ContentType.JSON).body(Map.of("name", name, "kind", "SOMETIMES", "vmIds", List.of(a, b)))
                .post("/placement-rules").then().statusCode(400);
        rule(name, "APART", List.of(a, b), List.of());
        given().contentType(ContentType.JSON).body(Map.of("name", name, "kind", "APART", "vmIds", List.of(a, b)))
                .post("/placement-rules").then().statusCode(409);
        given().queryParam("hostId", f.host(0)).queryParam("clusterId", f.fleet.clusterId).get("/placement-rules").then().statusCode(400);
        // nothing stored by the refusals: one rule of that name
        assertThat(given().queryParam("hostId", f.host(0)).get("/placement-rules").then().extract().jsonPath()
                .getList("name", String.class)).containsExactly(name);
    }
}
