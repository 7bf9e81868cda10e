package dev.ferry.scheduler;

import static dev.ferry.scheduler.MigrationLifecycleTest.migration;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The fake inventory's host 777 runs VMs 771-773; the whole path with 20 VMs is in the end-to-end test. */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(FakeInventory.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "database", value = "scheduler_test"),
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-events-dlq,inventory-events,inventory-events-dlq")})
class EvacuationTest {

    @Test
    void cancellingAnEvacuationCancelsEveryMigrationNotYetFinished() {
        FakeInventory.reserveSucceeds();
        JsonPath plan = given().post("/hosts/777/evacuate").then().statusCode(202).extract().jsonPath();
        String id = plan.getString("id");
        assertThat(plan.getList("moves")).hasSize(3);
        assertThat(plan.getList("moves.phase", String.class)).allMatch(p -> p.equals("QUEUED") || p.equals("SCHEDULED"));
        // asking again while it runs returns the same evacuation
        assertThat(given().post("/hosts/777/evacuate").then().statusCode(202).extract().jsonPath().getString("id")).isEqualTo(id);

        given().post("/evacuations/" + id + "/cancel").then().statusCode(202);

        List<String> migrations = plan.getList("moves.migrationId", String.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> migrations.stream()
                .allMatch(m -> "CANCELLED".equals(migration(UUID.fromString(m)).getString("phase"))));
        JsonPath after = given().get("/evacuations/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(after.getString("state")).isEqualTo("CANCELLED");
        assertThat(after.getInt("progress.cancelled")).isEqualTo(3);
    }

    @Test
    void aClusterWithOneLoadedHostIsRebalancedAtRebalancePriorityAfterADryRunThatChangesNothing() {
        FakeInventory.reserveSucceeds();
        // cluster 88: hv-881 runs six 4 GiB VMs, hv-882 one, hv-883 none, hv-884 is in maintenance and left out
        int before = given().queryParam("vmId", 8811).get("/migrations").then().extract().jsonPath().getList("$").size();
        JsonPath dry = given().queryParam("dryRun", true).post("/clusters/88/rebalance").then().statusCode(200).extract().jsonPath();
        assertThat(dry.getBoolean("dryRun")).isTrue();
        assertThat(dry.getDouble("imbalanceBefore")).isGreaterThan(0.2);
        assertThat(dry.getDouble("imbalanceAfter")).isLessThan(dry.getDouble("imbalanceBefore") / 4);
        assertThat(dry.getList("moves.fromHostId", Long.class)).isNotEmpty().allMatch(h -> h == 881);
        assertThat(dry.getList("moves.toHostId", Long.class)).allMatch(h -> h == 882 || h == 883);
        assertThat(dry.getList("moves.migrationId")).allMatch(java.util.Objects::isNull);
        assertThat(dry.getLong("cost.totalTimeMillis")).isEqualTo(dry.getList("moves.predictedTotalTimeMillis", Long.class)
                .stream().mapToLong(Long::longValue).sum());
        // played out together, sharing hv-881's link: no shorter than its longest move
        assertThat(dry.getLong("predictedMakespanMillis")).isGreaterThanOrEqualTo(dry.getList("moves.predictedTotalTimeMillis",
                Long.class).stream().mapToLong(Long::longValue).max().orElseThrow());
        assertThat(given().queryParam("vmId", 8811).get("/migrations").then().extract().jsonPath().getList("$")).hasSize(before);

        JsonPath done = given().post("/clusters/88/rebalance").then().log().ifValidationFails().statusCode(202).extract().jsonPath();
        List<String> ids = done.getList("moves.migrationId", String.class);
        assertThat(ids).hasSameSizeAs(dry.getList("moves")).doesNotContainNull();
        for (String id : ids) {
            JsonPath m = migration(UUID.fromString(id));
            assertThat(m.getString("priority")).isEqualTo("REBALANCE");
            assertThat(m.getString("targetReason")).contains("rebalance of cluster 88");
        }
        // its moves are not done: no second plan over the first
        given().post("/clusters/88/rebalance").then().statusCode(409).body("type", org.hamcrest.Matchers.endsWith("rebalance-running"));
        given().post("/clusters/8899/rebalance").then().statusCode(404);
        // a plan made meanwhile leaves alone the VMs those migrations move, and counts where they are going
        JsonPath meanwhile = given().queryParam("dryRun", true).post("/clusters/88/rebalance").then().statusCode(200).extract().jsonPath();
        assertThat(meanwhile.getList("moves.vmId", Long.class)).doesNotContainAnyElementsOf(done.getList("moves.vmId", Long.class));
        assertThat(meanwhile.getDouble("imbalanceBefore")).isLessThan(dry.getDouble("imbalanceBefore"));
        ids.forEach(id -> given().post("/migrations/" + id + "/cancel").then().statusCode(202));
    }

    @Test
    void aClusterEvenByAllocationIsRebalancedByTheCpuItsGuestsWereMeasuredToUse() {
        // cluster 89: hv-891 and hv-892 hold four 4 GiB, 2-vCPU VMs each; hv-891's guests use 1.5 cores each of its 8,
        // hv-892's 0.1: even by allocation, a hot spot by measurement
        JsonPath dry = given().queryParam("dryRun", true).post("/clusters/89/rebalance").then().statusCode(200).extract().jsonPath();

        assertThat(dry.getInt("measuredCpu.vmsMeasured")).isEqualTo(8);
        assertThat(dry.getInt("measuredCpu.vmsEstimated")).isZero();
        assertThat(dry.getDouble("measuredCpu.vcpusMeasuredShare")).isEqualTo(1.0);
        assertThat(dry.getString("measuredCpu.oldestMeasuredAt")).isNotNull();
        assertThat(dry.getDouble("imbalanceBefore")).isCloseTo(0.35, org.assertj.core.data.Offset.offset(1e-6)); // 6/8 against 0.4/8
        assertThat(dry.getLong("moves[0].fromHostId")).as("a busy guest leaves first").isEqualTo(891L);
        List<Long> moved = dry.getList("moves.vmId", Long.class);
        assertThat(moved.stream().filter(v -> v / 10 == 891).count()).as("busy guests moved to hv-892").isEqualTo(2);
        assertThat(moved.stream().filter(v -> v / 10 == 892).count()).as("quiet guests moved back for the memory").isEqualTo(2);
        assertThat(dry.getDouble("imbalanceAfter")).isLessThan(0.01);
    }

    @Test
    void aRequestQueuedForADestinationWhileARebalanceIsPlannedMakesItPlanAgain() throws Exception {
        // a migration that no longer claims anything: queued (no hold is granted), then cancelled
        FakeInventory.reserveAnswers(503, "{}");
        UUID other = UUID.fromString(given().contentType(io.restassured.http.ContentType.JSON)
                .body(java.util.Map.of("vmId", 756, "targetHostId", 591)).post("/migrations").then().statusCode(202)
                .extract().jsonPath().getString("id"));
        given().post("/migrations/" + other + "/cancel");
        await().atMost(Duration.ofSeconds(20)).until(() -> "CANCELLED".equals(migration(other).getString("phase")));
        String answer = null;
        try (var holder = dev.ferry.testsupport.TestDatabase.connect("scheduler_test");
                var watcher = dev.ferry.testsupport.TestDatabase.connect("scheduler_test")) {
            // cluster 89's plan sends busy guests to hv-892 (aClusterEvenByAllocation...); it is made, and waits to queue
            MigrationLifecycleTest.holdDestinationLock(holder, 892);
            var rebalancing = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().post("/clusters/89/rebalance"));
            MigrationLifecycleTest.awaitWaitingForTheLock(watcher, 1);
            // meanwhile a request for hv-892 is queued: 56 GiB, more than the 48 GiB the plan leaves there
            dev.ferry.testsupport.TestDatabase.update(holder, "UPDATE migration SET phase = 'QUEUED', target_host_id = 892, "
                    + "memory_bytes = 56 * 1073741824::bigint, created_at = clock_timestamp() WHERE id = ?", other);
            holder.commit();

            var done = rebalancing.get();
            answer = done.asString();
            assertThat(done.statusCode()).as(answer).isEqualTo(202);
            // planned again with that claim counted: hv-892 (64 GiB, 16 held by its four VMs) ends within its memory. The
            // plan made before the claim (busy guests in, quiet ones out) would have left it at 16 + 56 = 72 GiB
            long gib = 1L << 30;
            long on892 = 16 * gib + 56 * gib;
            for (long to : done.jsonPath().getList("moves.toHostId", Long.class)) {
                on892 += to == 892 ? 4 * gib : -4 * gib;
            }
            assertThat(on892 / gib).as("GiB on hv-892 once the moves are made: %s", answer).isLessThanOrEqualTo(64);
        } finally {
            FakeInventory.reserveSucceeds();
            dev.ferry.testsupport.TestDatabase.update("scheduler_test",
                    "UPDATE migration SET phase = 'CANCELLED' WHERE id = ? OR rebalance_cluster_id = 89", other);
        }
    }

    @jakarta.inject.Inject
    dev.ferry.scheduler.rebalance.RebalanceService rebalances;

    @Test
    void aScheduledPassRebalancesOnlyAClusterOverItsThresholdAndSkipsOneItCannotPlan() {
        FakeInventory.reserveSucceeds();
        // cluster 88 is uneven (imbalance above 0.2): under a threshold of 1 it is left alone
        int before = given().queryParam("vmId", 8811).get("/migrations").then().extract().jsonPath().getList("$").size();
        assertThat(rebalances.overThreshold(List.of(88L), 1.0).await().atMost(Duration.ofSeconds(30))).isEmpty();
        assertThat(given().queryParam("vmId", 8811).get("/migrations").then().extract().jsonPath().getList("$")).hasSize(before);

        // over 0.1 it is rebalanced, as the schedule; cluster 8899 does not exist and is skipped, not fatal
        assertThat(rebalances.overThreshold(List.of(8899L, 88L), 0.1).await().atMost(Duration.ofSeconds(30))).containsExactly(88L);
        // the moves leave hv-881, whose VMs are 8811 to 8816
        List<String> ids = new java.util.ArrayList<>();
        for (long vm = 8811; vm <= 8816; vm++) {
            List<java.util.Map<String, Object>> of = given().queryParam("vmId", vm).get("/migrations").then().statusCode(200)
                    .extract().jsonPath().getList("$");
            of.stream().filter(m -> "REBALANCE".equals(m.get("priority")) && List.of("QUEUED", "SCHEDULED", "RUNNING")
                    .contains(m.get("phase"))).forEach(m -> ids.add((String) m.get("id")));
        }
        try {
            assertThat(ids).isNotEmpty();
            for (String id : ids) {
                assertThat(migration(UUID.fromString(id)).getString("requestedBy.subject")).isEqualTo("ferry-scheduler");
                assertThat(migration(UUID.fromString(id)).getString("requestedBy.name")).isEqualTo("scheduled rebalance");
            }
            // a pass while its moves are under way plans nothing over them
            assertThat(rebalances.overThreshold(List.of(88L), 0.1).await().atMost(Duration.ofSeconds(30))).isEmpty();
        } finally {
            ids.forEach(id -> given().post("/migrations/" + id + "/cancel").then().statusCode(202));
        }
    }

    @Test
    void aRebalancePlanKeepsTheOperatorsApartRule() {
        FakeInventory.RULES.set(List.of(new dev.ferry.inventory.api.Views.PlacementRuleView(1, "db-apart",
                dev.ferry.inventory.api.PlacementKind.APART, java.util.Set.of(8811L, 8812L, 8813L, 8814L, 8815L, 8816L), java.util.Set.of(), 0)));
        try {
            JsonPath dry = given().queryParam("dryRun", true).post("/clusters/88/rebalance").then().statusCode(200).extract().jsonPath();
            // without the rule, hv-882 and hv-883 would each take more than one of hv-881's VMs
            assertThat(dry.getList("moves.toHostId", Long.class)).isNotEmpty().doesNotHaveDuplicates();
            // and the VMs it keeps on hv-881 are listed, the rule named for each host that would have taken them
            assertThat(dry.getList("notMoved.vmId", Long.class)).isNotEmpty().doesNotContainAnyElementsOf(dry.getList("moves.vmId", Long.class));
            assertThat(dry.getList("notMoved.reasons.flatten()", String.class)).isNotEmpty()
                    .allMatch(r -> r.contains("placement rule 'db-apart' keeps VM"));
        } finally {
            FakeInventory.RULES.set(List.of());
        }
    }

    static JsonPath evacuation(String id) {
        return given().get("/evacuations/" + id).then().statusCode(200).extract().jsonPath();
    }

    static dev.ferry.events.DirtyPageRound measured(long sentBytes, long remainingBytes, long durationMillis) {
        return new dev.ferry.events.DirtyPageRound(1, sentBytes / 4096, sentBytes, remainingBytes / 4096, 1000, 1.25e8, durationMillis,
                remainingBytes / 4096, remainingBytes, remainingBytes * 1000 / 125_000_000L, 0, "CONTINUE", "expected downtime above target", false);
    }

    @Test
    void theEtaFollowsWhatTheMigrationsMeasureAndItsErrorIsReportedOnceTheyAreDone() {
        FakeInventory.reserveSucceeds();
        // hv-778 runs two 4 GiB VMs; at 1 GbE the plan gives each half a minute, one after the other
        JsonPath plan = given().post("/hosts/778/evacuate").then().statusCode(202).extract().jsonPath();
        String id = plan.getString("id");
        long planned = plan.getLong("predictedMakespanMillis");
        List<UUID> moves = plan.getList("moves.migrationId", String.class).stream().map(UUID::fromString).toList();
        await().atMost(Duration.ofSeconds(10)).until(() -> "SCHEDULED".equals(migration(moves.get(0)).getString("phase")));
        // half of the first one went in a second, 17 times faster than its share of the link allows: the link is far
        // faster than declared, and the ETA says so (the plan's belief, weighing as one move, keeps it from 17 times)
        MigrationLifecycleTest.publish(MigrationLifecycleTest.event(moves.get(0), dev.ferry.events.EventType.ROUND_COMPLETED, 1,
                measured(2L << 30, 2L << 30, 1_000), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> evacuation(id).getLong("etaMillis") < planned * 2 / 3);
        assertThat(evacuation(id).getString("etaAt")).isNotNull();
        // and the tracker writes it down as it runs
        await().atMost(Duration.ofSeconds(10)).until(() -> recordedEtasBelow(id, planned * 2 / 3) > 0);

        for (UUID m : moves) {
            await().atMost(Duration.ofSeconds(10)).until(() -> List.of("SCHEDULED", "RUNNING").contains(migration(m).getString("phase")));
            QueueTest.succeed(m);
            await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCEEDED".equals(migration(m).getString("phase")));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> evacuation(id).get("etaError") != null);
        JsonPath done = evacuation(id);
        assertThat(done.getString("state")).isEqualTo("COMPLETED");
        // it finished when its last migration ended, as their histories tell
        Instant lastEnded = moves.stream().map(m -> Instant.parse(migration(m).getString("history.find { it.to == 'SUCCEEDED' }.at")))
                .max(Instant::compareTo).orElseThrow();
        assertThat(Instant.parse(done.getString("finishedAt"))).isEqualTo(lastEnded);
        assertThat(done.getLong("etaMillis")).isZero();
        // the plan alone promised far later than it took; each mark's error is told beside it
        assertThat(done.getDouble("etaError.planAlone")).isGreaterThan(1);
        for (String at : List.of("at25", "at50", "at75")) {
            assertThat(done.getDouble("etaError." + at)).isNotNull();
        }
    }

    /** The ETAs the tracker recorded for the evacuation that gave less than {@code millis} left. */
    static long recordedEtasBelow(String evacuation, long millis) throws java.sql.SQLException {
        return dev.ferry.testsupport.TestDatabase.number("scheduler_test", "SELECT count(*) FROM evacuation_eta"
                + " WHERE evacuation_id = ? AND eta_at - at < ? * interval '1 millisecond'", UUID.fromString(evacuation), millis);
    }

    @Test
    void destinationsSlowerThanPlannedLetMoreLeaveAtOnce() {
        FakeInventory.reserveSucceeds();
        // hv-779 runs four 4 GiB VMs for hv-3, both 1 GbE: the plan sends them one at a time, the links full
        JsonPath plan = given().post("/hosts/779/evacuate").then().statusCode(202).extract().jsonPath();
        String id = plan.getString("id");
        assertThat(plan.getInt("concurrency")).isEqualTo(1);
        UUID first = UUID.fromString(plan.getList("moves.migrationId", String.class).get(0));
        await().atMost(Duration.ofSeconds(10)).until(() -> "SCHEDULED".equals(migration(first).getString("phase")));
        // the first sends a tenth in 12 s: hv-3 takes far less than its link, and the source has room for more
        MigrationLifecycleTest.publish(MigrationLifecycleTest.event(first, dev.ferry.events.EventType.ROUND_COMPLETED, 1,
                measured(410L << 20, 3686L << 20, 12_000), null));
        await().atMost(Duration.ofSeconds(10)).until(() -> evacuation(id).getInt("concurrency") > 1);
        await().atMost(Duration.ofSeconds(10)).until(() -> evacuation(id).getList("moves.phase", String.class).stream()
                .filter(p -> p.equals("SCHEDULED") || p.equals("RUNNING")).count() > 1);
        given().post("/evacuations/" + id + "/cancel").then().statusCode(202);
    }

    @Test
    void aMoveWaitingItsTurnOutlastsTheQueueTimeoutWhileItsEvacuationMoves() throws Exception {
        FakeInventory.reserveSucceeds();
        // hv-776 runs four 4 GiB VMs for hv-3, both 1 GbE: one at a time, the second waits for the first
        JsonPath plan = given().post("/hosts/776/evacuate").then().statusCode(202).extract().jsonPath();
        assertThat(plan.getInt("concurrency")).isEqualTo(1);
        List<UUID> moves = plan.getList("moves.migrationId", String.class).stream().map(UUID::fromString).toList();
        UUID first = moves.get(0);
        UUID second = moves.get(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> "SCHEDULED".equals(migration(first).getString("phase")));
        FakeInventory.reserveAnswers(503, "{}"); // from here inventory holds nothing more: what is queued stays queued
        try {
            // a request of its own, queued beside the second move: the witness that the watchdog judged them both
            UUID alone = UUID.fromString(given().contentType(io.restassured.http.ContentType.JSON)
                    .body(java.util.Map.of("vmId", 7769, "targetHostId", 3)).post("/migrations").then().statusCode(202)
                    .extract().jsonPath().getString("id"));
            // both queued an hour ago, far past the queue's timeout (4 s in tests, 30 min by default)
            dev.ferry.testsupport.TestDatabase.update("scheduler_test",
                    "UPDATE migration SET created_at = created_at - interval '1 hour' WHERE id IN (?, ?)", second, alone);
            await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(migration(alone).getString("phase")));
            assertThat(migration(alone).getString("failureReason")).contains("without a free migration slot");
            // the second move waits its turn while the first is under way (or, should the first have timed out, since
            // it ended: a few seconds ago), pass after pass (each migration is judged in a transaction of its own, so
            // the request's end does not say the second was judged in the same pass)
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
                    .until(() -> "QUEUED".equals(migration(second).getString("phase")));

            // the first ends (cancelled here; no worker takes it, so it may have failed by itself already), and then
            // nothing of the evacuation moves for an hour: the second has waited too long
            given().post("/migrations/" + first + "/cancel");
            await().atMost(Duration.ofSeconds(10)).until(() -> List.of("CANCELLED", "FAILED").contains(migration(first).getString("phase")));
            assertThat(migration(second).getString("phase")).isEqualTo("QUEUED");
            dev.ferry.testsupport.TestDatabase.update("scheduler_test",
                    "UPDATE migration SET updated_at = updated_at - interval '1 hour' WHERE id = ?", first);
            await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(migration(second).getString("phase")));
            assertThat(migration(second).getString("failureReason")).contains("while none of its evacuation's moves ran or ended");
        } finally {
            FakeInventory.reserveSucceeds();
            given().post("/evacuations/" + plan.getString("id") + "/cancel");
        }
    }

    @Test
    void aRequestQueuedForADestinationWhileAnEvacuationIsPlannedMakesItPlanAgain() throws Exception {
        // a migration to hv-591 that no longer claims anything: queued (no hold is granted), then cancelled
        FakeInventory.reserveAnswers(503, "{}");
        UUID other = null;
        try (var holder = dev.ferry.testsupport.TestDatabase.connect("scheduler_test");
                var watcher = dev.ferry.testsupport.TestDatabase.connect("scheduler_test")) {
            UUID queued = UUID.fromString(given().contentType(io.restassured.http.ContentType.JSON)
                    .body(java.util.Map.of("vmId", 757, "targetHostId", 591)).post("/migrations").then().statusCode(202)
                    .extract().jsonPath().getString("id"));
            other = queued;
            given().post("/migrations/" + queued + "/cancel");
            await().atMost(Duration.ofSeconds(20)).until(() -> "CANCELLED".equals(migration(queued).getString("phase")));

            // hv-577's one VM can only go to hv-591, which has room for it alone; its plan is made, and waits to queue
            MigrationLifecycleTest.holdDestinationLock(holder, 591);
            var evacuating = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().post("/hosts/577/evacuate"));
            MigrationLifecycleTest.awaitWaitingForTheLock(watcher, 1);
            // meanwhile a request for hv-591 is queued: it takes the room the plan counted on
            dev.ferry.testsupport.TestDatabase.update(holder, "UPDATE migration SET phase = 'QUEUED', created_at = clock_timestamp() WHERE id = ?",
                    queued);
            holder.commit();

            var answer = evacuating.get();
            assertThat(answer.statusCode()).as(answer.asString()).isEqualTo(202);
            // planned again with that claim counted: the VM has nowhere to go, and the evacuation says why
            JsonPath e = evacuation(answer.jsonPath().getString("id"));
            assertThat(e.getList("moves")).isEmpty();
            assertThat(e.getList("unplaceable.vmName", String.class)).containsExactly("vm-759");
            assertThat(e.getString("unplaceable[0].reason")).contains("hv-591");
            given().post("/evacuations/" + answer.jsonPath().getString("id") + "/cancel");
        } finally {
            FakeInventory.reserveSucceeds();
            if (other != null) {
                dev.ferry.testsupport.TestDatabase.update("scheduler_test", "UPDATE migration SET phase = 'CANCELLED' WHERE id = ?", other);
            }
        }
    }

    @Test
    void aMigrationAlreadyEnteringTheDestinationMakesTheEvacuationTakeLonger() {
        // hv-778's two VMs can only go to hv-6, whose 1 GbE inbound link a migration of VM 29 is about to share
        long alone = given().queryParam("dryRun", true).post("/hosts/778/evacuate").then().statusCode(200).extract().jsonPath()
                .getLong("predictedMakespanMillis");
        UUID entering = MigrationLifecycleTest.requestMigration(29, 6, "USER", "SCHEDULED");
        try {
            JsonPath plan = given().queryParam("dryRun", true).post("/hosts/778/evacuate").then().statusCode(200).extract().jsonPath();
            long beside = plan.getLong("predictedMakespanMillis");
            assertThat(migration(entering).getLong("prediction.totalTimeMillis")).isPositive();
            assertThat(beside).isGreaterThan(alone + alone / 10);
            // and the plan says which migration it shared the links with, and until when
            assertThat(plan.getList("plannedAround.migrationId", String.class)).containsExactly(entering.toString());
            assertThat(plan.getString("plannedAround[0].why")).isEqualTo("enters host 6, a destination of this plan");
            assertThat(plan.getLong("plannedAround[0].untilMillis")).isPositive()
                    .isLessThanOrEqualTo(migration(entering).getLong("prediction.totalTimeMillis"));
        } finally {
            // ended, not cancelled: a cancel no worker confirms leaves it under way, and hv-6 is the next test's destination
            QueueTest.succeed(entering);
            await().atMost(Duration.ofSeconds(10)).until(() -> "SUCCEEDED".equals(migration(entering).getString("phase")));
        }
    }

    @Test
    void aDryRunShowsThePlanAndChangesNothing() {
        int stateChanges = FakeInventory.STATE_CHANGES.get();
        int evacuations = given().get("/evacuations").then().statusCode(200).extract().jsonPath().getList("$").size();
        JsonPath plan = given().queryParam("dryRun", true).post("/hosts/777/evacuate").then().statusCode(200).extract().jsonPath();
        assertThat(plan.getLong("hostId")).isEqualTo(777);
        assertThat(plan.getList("moves.vmId", Long.class)).containsExactlyInAnyOrder(771L, 772L, 773L);
        assertThat(plan.getList("moves.targetHostId", Long.class)).allMatch(h -> h == 3);
        assertThat(plan.getLong("predictedMakespanMillis")).isPositive();
        assertThat(FakeInventory.STATE_CHANGES.get()).as("the host kept its state").isEqualTo(stateChanges);
        assertThat(given().get("/evacuations").then().extract().jsonPath().getList("$")).as("nothing queued").hasSize(evacuations);
    }

    @Test
    void anUnknownEvacuationIsA404() {
        given().get("/evacuations/" + UUID.randomUUID()).then().statusCode(404);
    }
}
