package dev.ferry.inventory.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.CompatibilityQuery;
import dev.ferry.inventory.api.Requests.Cpu;
import dev.ferry.inventory.api.Requests.HostStateChange;
import dev.ferry.inventory.api.Requests.NewHost;
import dev.ferry.inventory.api.Requests.NewReservation;
import dev.ferry.inventory.api.Requests.NewVm;
import dev.ferry.inventory.api.Requests.NewVolume;
import dev.ferry.inventory.api.Requests.Release;
import dev.ferry.inventory.api.ReservationState;
import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.inventory.api.Views.ClusterView;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.NetworkView;
import dev.ferry.inventory.api.Views.ReservationView;
import dev.ferry.inventory.api.Views.StoragePoolView;
import dev.ferry.inventory.api.Views.VmView;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The contract the scheduler relies on: inventory-api's client interface names operations this service serves, and
 * its records travel through real HTTP both ways with no field missing, extra or renamed (read strictly).
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "inventory_test"),
        @ResourceArg(name = "topics", value = "migration-events,migration-events-dlq,inventory-events,host-probes,host-reports,host-reports-dlq")})
class InventoryContractTest {
    static final long GIB = 1L << 30;

    @Inject
    ObjectMapper quarkusMapper;

    /** Fails on a field the record lacks and on a field the answer lacks: a renamed field cannot pass. */
    ObjectMapper strict() {
        return quarkusMapper.copy().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);
    }

    <T> T read(String json, TypeReference<T> type) throws Exception {
        return strict().readValue(json, type);
    }

    String post(String path, Object record, int status) throws Exception {
        return given().contentType(ContentType.JSON).body(quarkusMapper.writeValueAsString(record)).post(path)
                .then().statusCode(status).extract().asString();
    }

    @Test
    void everyOperationOfTheClientInterfaceIsServed() {
        JsonNode paths = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .extract().as(JsonNode.class).path("paths");
        for (Method m : InventoryApi.class.getDeclaredMethods()) {
            String path = "/" + m.getAnnotation(Path.class).value();
            String verb = m.isAnnotationPresent(GET.class) ? "get" : m.isAnnotationPresent(POST.class) ? "post"
                    : m.isAnnotationPresent(PUT.class) ? "put" : "?";
            assertThat(paths.path(path).has(verb)).as(verb.toUpperCase() + " " + path + " (InventoryApi." + m.getName() + ")").isTrue();
        }
    }

    @Test
    void theRecordsRoundTripThroughRealHttp() throws Exception {
        Fleet fleet = new Fleet(2, 64);
        NewHost hostRequest = new NewHost("contract-" + fleet.tag, fleet.clusterId, HostState.UP,
                new Cpu("GenuineIntel", 6, 15, "Intel Xeon 5130", 2000, 2, 4, Set.of("sse4_2", "avx")), 64 * GIB, 1.5, 2.0,
                "KVM", "QEMU 10.0.2", "10.0.0.9", 1_250_000_000L, 3, 4, null, null);
        HostView host = read(post("/hosts", hostRequest, 201), new TypeReference<>() { });
        assertThat(host.name()).isEqualTo(hostRequest.name());
        assertThat(host.cpuFlags()).isEqualTo(hostRequest.cpu().flags());
        assertThat(host.memoryOvercommit()).isEqualTo(1.5);
        assertThat(host.maxInboundMigrations()).isEqualTo(3);
        assertThat(host.maxOutboundMigrations()).isEqualTo(4);
        assertThat(read(given().get("/hosts/" + host.id()).asString(), new TypeReference<HostView>() { })).isEqualTo(host);

        NewVm vmRequest = new NewVm("contract-vm-" + fleet.tag, 4 * GIB, 2, fleet.hosts[0],
                List.of(new NewVolume(fleet.poolId, 20 * GIB)), Set.of(fleet.networkId), null, null, null);
        VmView vm = read(post("/vms", vmRequest, 201), new TypeReference<>() { });
        assertThat(vm.hostId()).isEqualTo(fleet.hosts[0]);
        assertThat(vm.volumes()).singleElement().satisfies(v -> assertThat(v.sizeBytes()).isEqualTo(20 * GIB));
        List<VmView> onHost = read(given().queryParam("hostId", fleet.hosts[0]).queryParam("page", 0).queryParam("size", 10)
                .get("/vms").asString(), new TypeReference<>() { });
        assertThat(onHost).contains(vm);

        List<Candidate> candidates = read(given().get("/vms/" + vm.id() + "/candidates").asString(), new TypeReference<>() { });
        assertThat(candidates).extracting(c -> c.verdict().hostId()).contains(fleet.hosts[1], host.id());
        List<Verdict> verdicts = read(post("/vms/" + vm.id() + "/compatibility", new CompatibilityQuery(List.of(fleet.hosts[1])), 200),
                new TypeReference<>() { });
        assertThat(verdicts).singleElement().satisfies(v -> assertThat(v.compatible()).isTrue());

        ReservationView hold = read(post("/reservations", new NewReservation(UUID.randomUUID(), vm.id(), fleet.hosts[1], 600), 201),
                new TypeReference<>() { });
        assertThat(hold.state()).isEqualTo(ReservationState.ACTIVE);
        ReservationView released = read(post("/reservations/" + hold.id() + "/release", new Release("contract test"), 200),
                new TypeReference<>() { });
        assertThat(released.state()).isEqualTo(ReservationState.RELEASED);
        assertThat(released.endReason()).isEqualTo("contract test");

        var ruleRequest = new dev.ferry.inventory.api.Requests.NewPlacementRule("contract-rule-" + fleet.tag,
                dev.ferry.inventory.api.PlacementKind.ON_HOSTS, Set.of(vm.id()), Set.of(fleet.hosts[0], fleet.hosts[1]), null);
        var rule = read(post("/placement-rules", ruleRequest, 201), new TypeReference<dev.ferry.inventory.api.Views.PlacementRuleView>() { });
        assertThat(rule.vmIds()).containsExactly(vm.id());
        assertThat(read(given().queryParam("hostId", fleet.hosts[0]).queryParam("page", 0).queryParam("size", 10)
                .get("/placement-rules").asString(), new TypeReference<List<dev.ferry.inventory.api.Views.PlacementRuleView>>() { }))
                .containsExactly(rule);

        HostView maintenance = read(given().contentType(ContentType.JSON).body(quarkusMapper.writeValueAsString(
                new HostStateChange(HostState.MAINTENANCE))).put("/hosts/" + host.id() + "/state").asString(), new TypeReference<>() { });
        assertThat(maintenance.state()).isEqualTo(HostState.MAINTENANCE);

        for (String list : List.of("/clusters", "/storage-pools", "/networks")) {
            String json = given().queryParam("size", 1000).get(list).then().statusCode(200).extract().asString();
            switch (list) {
                case "/clusters" -> assertThat(read(json, new TypeReference<List<ClusterView>>() { })).isNotEmpty();
                case "/storage-pools" -> assertThat(read(json, new TypeReference<List<StoragePoolView>>() { })).isNotEmpty();
                default -> assertThat(read(json, new TypeReference<List<NetworkView>>() { })).isNotEmpty();
            }
        }
    }

    @Test
    void everyListIsPaged() {
        Fleet fleet = new Fleet(3, 64);
        for (String list : List.of("/clusters", "/hosts", "/storage-pools", "/networks", "/vms", "/reservations", "/placement-rules")) {
            given().queryParam("size", InventoryApi.MAX_PAGE_SIZE + 1).get(list).then().statusCode(400);
            given().queryParam("page", -1).get(list).then().statusCode(400);
            // page x size past 2^31 would overflow the offset: a clear 400, not a 500
            given().queryParam("page", 2_147_484).queryParam("size", 1000).get(list).then().statusCode(400)
                    .body("violations[0].field", org.hamcrest.Matchers.equalTo("page"));
        }
        List<Long> all = given().queryParam("clusterId", fleet.clusterId).get("/hosts").jsonPath().getList("id", Long.class);
        List<Long> second = given().queryParam("clusterId", fleet.clusterId).queryParam("page", 1).queryParam("size", 1)
                .get("/hosts").jsonPath().getList("id", Long.class);
        assertThat(second).containsExactly(all.get(1));
    }
}
