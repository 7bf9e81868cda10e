package dev.ferry.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.events.EventCodec;
import dev.ferry.events.EventType;
import dev.ferry.events.MigrationEvent;
import dev.ferry.events.Topics;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.KafkaProbe;
import dev.ferry.testsupport.RoleMatrix;
import dev.ferry.testsupport.TestBroker;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The walking skeleton through real infrastructure: the three services as separate processes from their
 * built jars, one Kafka broker, one PostgreSQL, and a real OpenID provider (Keycloak, its realm created by the test).
 * POST a migration and follow it to the VM's new host; every API holds its roles against Keycloak's tokens, and the
 * scheduler and the worker sign in to Keycloak as their own clients.
 */
@SharedRealm.UsesKeycloak
class MigrationEndToEndIT {
    static final long GIB = 1L << 30;
    static FerryRealm realm;
    static Platform platform;
    static Platform.Service inventory;
    static Platform.Service scheduler;
    static OtlpCollector collector;

    @BeforeAll
    static void startPlatform() throws Exception {
        realm = SharedRealm.get();
        Map<String, String> settings = new HashMap<>(realm.settings());
        // tracing on, as an operator turns it on: one endpoint (here over OTLP/HTTP, exported within a fraction of a second)
        collector = OtlpCollector.start();
        settings.put("FERRY_OTLP_ENDPOINT", collector.endpoint());
        settings.put("QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf");
        settings.put("QUARKUS_OTEL_BSP_SCHEDULE_DELAY", "200ms");
        // some wall-clock time per round, so that progress is observable while it runs
        settings.put("FERRY_SIMULATION_TIME_SCALE", "0.05");
        platform = Platform.start("e2e", settings, realm.clientSecrets());
        inventory = platform.inventory;
        scheduler = platform.scheduler;
        // the tests act as Keycloak's admin user (who may also do what operators and viewers do)
        Platform.actAs(realm.user(Roles.ADMIN));
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
        if (collector != null) {
            collector.close();
        }
    }

    @Test
    void aMigrationsAttemptIsOneTraceFromTheRequestThroughKafkaToTheWorkerAndEveryConsumer() throws Exception {
        Fleet fleet = new Fleet(platform, TestBroker.bootstrapServers(), "trace", 2);
        long vm = fleet.vm("trace-web", fleet.hosts.get(0), GIB);
        String id = given().baseUri(fleet.scheduler).contentType(ContentType.JSON)
                .body(Map.of("vmId", vm, "targetHostId", fleet.hosts.get(1))).post("/migrations").then().statusCode(202)
                .extract().jsonPath().getString("id");
        await().atMost(Duration.ofSeconds(90)).until(() -> fleet.ended(id));
        assertThat(fleet.phase(id)).isEqualTo("SUCCEEDED");

        // what an on-call engineer opens: the attempt's trace, found by the migration's id
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            List<OtlpCollector.Span> attempts = collector.spans().stream()
                    .filter(s -> s.name().equals("migration attempt") && id.equals(s.attribute("ferry.migration.id"))).toList();
            assertThat(attempts).hasSize(1);
            List<OtlpCollector.Span> trace = collector.trace(attempts.get(0).traceId());
            String shown = "\n" + String.join("\n", trace.stream().map(Object::toString).toList());
            // the request that asked for it is the trace's root, and the attempt hangs under it
            OtlpCollector.Span request = trace.stream().filter(s -> s.service().equals("scheduler-service")
                    && s.kind() == OtlpCollector.SERVER && s.name().equals("POST /migrations")).findFirst()
                    .orElseThrow(() -> new AssertionError("no POST /migrations span in" + shown));
            assertThat(request.parentSpanId()).as(shown).isEmpty();
            assertThat(ancestors(trace, attempts.get(0))).as(shown).contains(request.spanId());
            // the START through the outbox and Kafka to the worker, its run, and its claim answered by the scheduler
            OtlpCollector.Span startSent = only(trace, "scheduler-service", OtlpCollector.PRODUCER, Topics.MIGRATION_COMMANDS, shown);
            OtlpCollector.Span startTaken = only(trace, "migration-worker", OtlpCollector.CONSUMER, Topics.MIGRATION_COMMANDS, shown);
            assertThat(startTaken.parentSpanId()).as(shown).isEqualTo(startSent.spanId());
            OtlpCollector.Span run = trace.stream().filter(s -> s.name().equals("migration run")).findFirst()
                    .orElseThrow(() -> new AssertionError("no worker run in" + shown));
            assertThat(run.service()).isEqualTo("migration-worker");
            assertThat(ancestors(trace, run)).as(shown).contains(startTaken.spanId());
            assertThat(trace).as(shown).anyMatch(s -> s.service().equals("scheduler-service") && s.kind() == OtlpCollector.SERVER
                    && s.name().contains("claims") && ancestors(trace, s).contains(startTaken.spanId()));
            // every event of the run goes out under it, and the scheduler and inventory each consume them in the trace
            List<OtlpCollector.Span> events = trace.stream().filter(s -> s.service().equals("migration-worker")
                    && s.kind() == OtlpCollector.PRODUCER && Topics.MIGRATION_EVENTS.equals(s.attribute("messaging.destination.name"))).toList();
            assertThat(events).as(shown).hasSizeGreaterThanOrEqualTo(3) // started, a round, the outcome
                    .allSatisfy(e -> assertThat(e.parentSpanId()).isEqualTo(run.spanId()));
            // the scheduler applies the worker's events; inventory (which moves the VM on the scheduler's decision, an
            // event of the attempt too) consumes in the trace, and what it writes in turn goes on in it
            assertThat(trace).as(shown).anyMatch(s -> s.service().equals("scheduler-service") && s.kind() == OtlpCollector.CONSUMER
                    && events.stream().anyMatch(e -> e.spanId().equals(s.parentSpanId())));
            OtlpCollector.Span decision = trace.stream().filter(s -> s.service().equals("scheduler-service")
                    && s.kind() == OtlpCollector.PRODUCER && Topics.MIGRATION_EVENTS.equals(s.attribute("messaging.destination.name")))
                    .findFirst().orElseThrow(() -> new AssertionError("no decision published in" + shown));
            assertThat(decision.parentSpanId()).as(shown).isEqualTo(attempts.get(0).spanId());
            OtlpCollector.Span moved = trace.stream().filter(s -> s.service().equals("inventory-service")
                    && s.kind() == OtlpCollector.CONSUMER && decision.spanId().equals(s.parentSpanId())).findFirst()
                    .orElseThrow(() -> new AssertionError("inventory did not consume the decision in" + shown));
            assertThat(trace).as(shown).anyMatch(s -> s.service().equals("inventory-service") && s.kind() == OtlpCollector.PRODUCER
                    && Topics.INVENTORY_EVENTS.equals(s.attribute("messaging.destination.name")) && moved.spanId().equals(s.parentSpanId()));
        });
    }

    /** The span ids above {@code span} in its trace, nearest first. */
    static List<String> ancestors(List<OtlpCollector.Span> trace, OtlpCollector.Span span) {
        Map<String, OtlpCollector.Span> byId = new HashMap<>();
        trace.forEach(s -> byId.put(s.spanId(), s));
        List<String> out = new ArrayList<>();
        for (OtlpCollector.Span at = byId.get(span.parentSpanId()); at != null; at = byId.get(at.parentSpanId())) {
            out.add(at.spanId());
        }
        return out;
    }

    static OtlpCollector.Span only(List<OtlpCollector.Span> trace, String service, int kind, String topic, String shown) {
        List<OtlpCollector.Span> found = trace.stream().filter(s -> s.service().equals(service) && s.kind() == kind
                && topic.equals(s.attribute("messaging.destination.name"))).toList();
        assertThat(found).as(service + " " + OtlpCollector.kindName(kind) + " " + topic + shown).hasSize(1);
        return found.get(0);
    }

    @Test
    void everyOperationOfEachApiHoldsItsRoleAgainstKeycloakTokens() throws Exception {
        List<String> tokens = List.of(realm.user(Roles.VIEWER), realm.user(Roles.OPERATOR), realm.user(Roles.ADMIN),
                realm.client("scheduler-service"), realm.client("migration-worker"));
        for (Platform.Service s : List.of(platform.inventory, platform.scheduler, platform.worker)) {
            String doc = given().baseUri(s.url()).queryParam("format", "json").get("/q/openapi").asString();
            var result = RoleMatrix.check(s.url(), doc, tokens, Roles::withIncluded);
            assertThat(result.operations()).as(s.url()).isNotEmpty();
            assertThat(result.violations()).as(s.url()).isEmpty();
        }
    }

    @Test
    void anOperatorsMigrationRunsWhileTheServicesSignInAsThemselvesAndSaysWhoAskedForIt() throws Exception {
        Fleet fleet = new Fleet(platform, TestBroker.bootstrapServers(), "sec", 2);
        long vm = fleet.vm("sec-web", fleet.hosts.get(0), GIB);
        Map<String, Object> request = Map.of("vmId", vm, "targetHostId", fleet.hosts.get(1));

        given().baseUri(fleet.scheduler).header("Authorization", "Bearer " + realm.user(Roles.VIEWER)).contentType(ContentType.JSON)
                .body(request).post("/migrations").then().statusCode(403);
        String id = given().baseUri(fleet.scheduler).header("Authorization", "Bearer " + realm.user(Roles.OPERATOR))
                .contentType(ContentType.JSON).body(request).post("/migrations").then().statusCode(202)
                .extract().jsonPath().getString("id");

        // the scheduler reserved the destination in inventory and the worker claimed the run: both with Keycloak's tokens
        await().atMost(Duration.ofSeconds(90)).until(() -> fleet.ended(id));
        assertThat(fleet.phase(id)).isEqualTo("SUCCEEDED");
        fleet.agree(id, vm, fleet.hosts.get(0), fleet.hosts.get(1));
        // the worker's lines about it name the migration, its attempt and its VM, as an operator greps for them
        String workerLog = java.nio.file.Files.readString(platform.worker(fleet.migration(id).getString("workerId")).orElseThrow()
                .process().log());
        assertThat(workerLog.lines().filter(l -> l.contains("[" + id.substring(0, 8) + " #1 sec-web")))
                .anyMatch(l -> l.contains("done:")).anyMatch(l -> l.contains("MiB over")); // the driver's line too
        // who asked, as Keycloak names them; the fleet's own change by the admin who made it
        assertThat(fleet.migration(id).getString("requestedBy.name")).isEqualTo("operator");
        assertThat(given().baseUri(fleet.inventory).queryParam("entity", "VM").queryParam("entityId", vm).get("/fleet-changes")
                .then().statusCode(200).extract().jsonPath().getList("changedBy.name", String.class)).containsExactly("admin");
    }

    static long create(String path, Object body) {
        return given().baseUri(inventory.url()).contentType(ContentType.JSON).body(body).post(path)
                .then().statusCode(201).extract().jsonPath().getLong("id");
    }

    static long host(long cluster, String name) {
        return host(cluster, name, 1_250_000_000L);
    }

    static long host(long cluster, String name, long linkBandwidth) {
        return create("/hosts", Map.of("name", name, "clusterId", cluster,
                "cpu", Map.of("vendor", "GenuineIntel", "family", 6, "model", 15, "modelName", "Intel Xeon 5130",
                        "mhz", 2000, "sockets", 2, "cores", 4),
                "memoryBytes", 64 * GIB, "hypervisorType", "KVM", "hypervisorVersion", "QEMU 10.0.2",
                "migrationAddress", "192.0.2.1", "linkBandwidthBytesPerSecond", linkBandwidth));
    }

    @Test
    void ferryctlSignedInAtKeycloakMigratesCancelsAndIsRefusedWhereTheRoleSaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path home)
            throws Exception {
        Fleet fleet = new Fleet(platform, TestBroker.bootstrapServers(), "ctl", 2);
        long small = fleet.vm("ctl-small", fleet.hosts.get(0), GIB);
        long big = fleet.vm("ctl-big", fleet.hosts.get(0), 16 * GIB);
        Ferryctl operator = new Ferryctl(home.resolve("operator.yaml"));
        operator.ok("config", "set", "inventory", inventory.url());
        operator.ok("config", "set", "scheduler", scheduler.url());
        operator.ok("config", "set", "issuer", realm.issuer());
        operator.login(Roles.OPERATOR);
        // the access token runs out: the next command refreshes it with Keycloak's refresh token, unseen
        String first = operator.config().get("token").asText();
        operator.expireToken();
        assertThat(operator.ok("hosts", "-o", "json")).contains("ctl-hv-1", "ctl-hv-2");
        assertThat(operator.config().get("token").asText()).isNotEqualTo(first);

        assertThat(operator.ok("check", "ctl-small", "--to", "ctl-hv-2")).contains("ctl-hv-2", "compatible", "CPU_VENDOR");
        assertThat(operator.ok("migrate", "ctl-small", "--max-downtime", "300ms", "--dry-run"))
                .contains("Would migrate ctl-small", "to ctl-hv-2", "forecast:", "nothing was started");
        assertThat(given().baseUri(scheduler.url()).queryParam("vmId", small).get("/migrations").jsonPath().getList("$"))
                .isEmpty();
        assertThat(operator.run("migrate", "ctl-small", "--policy", "fastest", "--dry-run")).isEqualTo(dev.ferry.ctl.ExitCodes.REFUSED);
        assertThat(operator.err).contains("no convergence policy named 'fastest'");
        // a reference policy chosen for this one migration: the worker steers with it, and says so in every round
        String moved = operator.ok("migrate", "ctl-small", "--to", "ctl-hv-2", "--max-downtime", "300ms", "--policy", "qemu-default",
                "--wait");
        assertThat(moved).contains("Migrating ctl-small", "policy qemu-default", "round  1", "SUCCEEDED after");
        String movedId = operator.lastMigration;
        assertThat(given().baseUri(scheduler.url()).get("/migrations/" + movedId).jsonPath().getList("rounds.reason", String.class))
                .isNotEmpty().allSatisfy(reason -> assertThat(reason).contains("bandwidth x downtime-limit"));
        // now that ctl-small's writes are known: 1 GiB cannot cross 10 GbE within half a second, so admission refuses it,
        // says why and what would help; --force overrides that
        assertThat(operator.run("migrate", "ctl-small", "--to", "ctl-hv-1", "--deadline", "500ms")).isEqualTo(dev.ferry.ctl.ExitCodes.REFUSED);
        assertThat(operator.err).contains("predicted not to converge", "learned from this VM's last migration", "--force");
        assertThat(operator.ok("migrate", "ctl-small", "--to", "ctl-hv-1", "--deadline", "500ms", "--force", "--dry-run"))
                .contains("Would migrate ctl-small", "predicted not to converge", "nothing was started");

        operator.ok("migrate", "ctl-big", "--to", "ctl-hv-2");
        String id = operator.lastMigration;
        assertThat(operator.ok("cancel", id)).contains(id);
        assertThat(operator.run("events", id, "--follow", "--timeout", "2m")).isZero();
        assertThat(operator.out).contains("CANCEL_REQUESTED", "(by operator)");
        assertThat(given().baseUri(scheduler.url()).get("/migrations/" + id).jsonPath().getString("phase")).isEqualTo("CANCELLED");
        assertThat(given().baseUri(inventory.url()).get("/vms/" + big).jsonPath().getLong("hostId")).isEqualTo(fleet.hosts.get(0));
        assertThat(operator.ok("migrations", "--requested-by", "operator", "-o", "json")).contains(id);
        assertThat(operator.ok("evacuate", "ctl-hv-1", "--dry-run")).contains("Would evacuate ctl-hv-1: 1 VM(s)", "ctl-big",
                "nothing was queued");
        assertThat(given().baseUri(inventory.url()).get("/hosts/" + fleet.hosts.get(0)).jsonPath().getString("state")).isEqualTo("UP");
        // the cluster's hosts as inventory lists them, each VM's pre-checks: a plan, nothing queued
        assertThat(operator.ok("rebalance", "ctl", "--dry-run")).contains("Would rebalance ctl: imbalance", "CPU use: not measured recently for enough of the cluster",
                "dry run: nothing was queued");
        // an admin's placement rule keeps ctl-big on ctl-hv-1: the operator's check and request name it
        Ferryctl admin = new Ferryctl(home.resolve("admin.yaml"));
        admin.ok("config", "set", "inventory", inventory.url());
        admin.ok("config", "set", "scheduler", scheduler.url());
        admin.ok("config", "set", "issuer", realm.issuer());
        admin.login(Roles.ADMIN);
        assertThat(admin.ok("rule", "ctl-pinned", "--on-hosts", "ctl-hv-1", "ctl-big")).contains("Placement rule ctl-pinned", "only on ctl-hv-1");
        assertThat(operator.ok("rules")).contains("ctl-pinned", "ON_HOSTS");
        assertThat(operator.run("check", "ctl-big", "--to", "ctl-hv-2")).isEqualTo(dev.ferry.ctl.ExitCodes.REFUSED);
        assertThat(operator.out).contains("NOT compatible", "FAIL", "HOST_AFFINITY",
                "placement rule 'ctl-pinned' keeps VM ctl-big on ctl-hv-1 only, not ctl-hv-2");
        assertThat(operator.run("migrate", "ctl-big", "--to", "ctl-hv-2")).isEqualTo(dev.ferry.ctl.ExitCodes.REFUSED);
        assertThat(operator.err).contains("HOST_AFFINITY: placement rule 'ctl-pinned'");
        assertThat(operator.run("rule", "ctl-other", "--apart", "ctl-big", "ctl-small")).isEqualTo(dev.ferry.ctl.ExitCodes.REFUSED);
        assertThat(operator.err).contains("403"); // rules are an admin's
        assertThat(admin.ok("rule", "ctl-pinned", "--delete")).contains("Deleted placement rule ctl-pinned");

        Ferryctl viewer = new Ferryctl(home.resolve("viewer.yaml"));
        viewer.ok("config", "set", "inventory", inventory.url());
        viewer.ok("config", "set", "scheduler", scheduler.url());
        viewer.ok("config", "set", "issuer", realm.issuer());
        viewer.login(Roles.VIEWER);
        assertThat(viewer.run("migrate", "ctl-big", "--to", "ctl-hv-2")).isEqualTo(dev.ferry.ctl.ExitCodes.REFUSED);
        assertThat(viewer.err).contains("403");
        assertThat(viewer.run("migrations", "--phase", "CANCELLED")).isZero();
    }

    @Test
    void theConsoleSignedInAtKeycloakStartsAMigrationChartsEachRoundAndCancelsAnother() throws Exception {
        Fleet fleet = new Fleet(platform, TestBroker.bootstrapServers(), "con", 2);
        // The simulator gives a VM the workload its id picks (MigrationPlan.workload). Some converge in rounds that each
        // outlast the stream's 500 ms poll, so the page can show them one by one; the others send all but the first
        // round within one poll. Take a VM of the first kind.
        long web = fleet.vm("con-web", fleet.hosts.get(0), 12 * GIB);
        for (int n = 2; !List.of("oltp", "phases", "uniform-0.5").contains(
                dev.ferry.worker.service.MigrationPlan.workload("auto", web).name()); n++) {
            web = fleet.vm("con-web-" + n, fleet.hosts.get(0), 12 * GIB);
        }
        long big = fleet.vm("con-big", fleet.hosts.get(0), 16 * GIB);
        try (Browser browser = new Browser(1400, 1000)) {
            Console console = new Console(browser, scheduler.url());
            try {
                console.signIn(Roles.OPERATOR, realm.password(Roles.OPERATOR));
                console.go("#/fleet");
                assertThat(browser.text(".host[data-host='con-hv-1']")).contains("con-web", "con-big", "UP");

                // started from the page, followed live: the charts gain the rounds as they come, and hold every one
                String id = console.startMigration(web, "con-hv-2");
                List<Integer> points = console.pointsUntilTheEnd(Duration.ofSeconds(90));
                assertThat(console.phase()).isEqualTo("SUCCEEDED");
                JsonPath m = given().baseUri(scheduler.url()).get("/migrations/" + id).jsonPath();
                assertThat(m.getString("requestedBy.name")).isEqualTo(Roles.OPERATOR);
                Console.assertGrewRoundByRound(points, m.getLong("roundCount"));
                int last = m.getList("rounds").size() - 1;
                assertThat(console.hoverOnRound("downtime")).as("the policy's decision on hover")
                        .contains("round " + m.getInt("rounds[" + last + "].round"), m.getString("rounds[" + last + "].decision"));
                assertThat(given().baseUri(inventory.url()).get("/vms/" + web).jsonPath().getLong("hostId")).isEqualTo(fleet.hosts.get(1));

                // another one cancelled from its page: the VM stays where it was
                String other = given().baseUri(scheduler.url()).contentType(ContentType.JSON)
                        .body(Map.of("vmId", big, "targetHostId", fleet.hosts.get(1))).post("/migrations")
                        .then().statusCode(202).extract().jsonPath().getString("id");
                console.go("#/migrations/" + other);
                console.cancel();
                console.awaitPhase("CANCELLED", Duration.ofSeconds(90));
                assertThat(browser.text("#audit")).contains("CANCEL_REQUESTED", Roles.OPERATOR);
                assertThat(given().baseUri(inventory.url()).get("/vms/" + big).jsonPath().getLong("hostId")).isEqualTo(fleet.hosts.get(0));
            } catch (Throwable failed) {
                browser.screenshot(platform.root.resolve("e2e-tests/target/e2e-logs/console-failure.png"));
                throw failed;
            }
        }
    }

    /** ferryctl in this JVM, with a settings file of its own, as a person at a terminal would run it. */
    private static final class Ferryctl {
        final java.nio.file.Path config;
        String out = "";
        String err = "";
        String lastMigration;

        Ferryctl(java.nio.file.Path config) {
            this.config = config;
        }

        int run(String... args) {
            java.io.StringWriter o = new java.io.StringWriter();
            java.io.StringWriter e = new java.io.StringWriter();
            dev.ferry.ctl.Ferryctl ctl = dev.ferry.ctl.Ferryctl.of(Map.of("FERRYCTL_CONFIG", config.toString()));
            int status = ctl.execute(new java.io.PrintWriter(o), new java.io.PrintWriter(e), args);
            out = o.toString();
            err = e.toString();
            if (ctl.lastMigration() != null) {
                lastMigration = ctl.lastMigration();
            }
            return status;
        }

        String ok(String... args) {
            assertThat(run(args)).as("ferryctl %s: %s", String.join(" ", args), err).isZero();
            return out;
        }

        void login(String user) {
            java.io.InputStream stdin = System.in;
            System.setIn(new java.io.ByteArrayInputStream((realm.password(user) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            try {
                assertThat(ok("login", "-u", user, "--password-stdin")).contains("signed in as " + user, "then refreshed");
            } finally {
                System.setIn(stdin);
            }
        }

        com.fasterxml.jackson.databind.JsonNode config() throws java.io.IOException {
            return new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                    .readTree(config.toFile());
        }

        void expireToken() throws java.io.IOException {
            var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
            var c = (com.fasterxml.jackson.databind.node.ObjectNode) yaml.readTree(config.toFile());
            c.put("expiresAt", java.time.Instant.now().getEpochSecond());
            yaml.writeValue(config.toFile(), c);
        }
    }

    @Test
    void aMigrationTravelsTheWholePathAndTheVmMovesExactlyOnce() {
        long cluster = create("/clusters", Map.of("name", "e2e"));
        long source = host(cluster, "e2e-hv-1");
        long target = host(cluster, "e2e-hv-2");
        long pool = create("/storage-pools", Map.of("name", "e2e-nfs", "type", "NFS", "scope", "CLUSTER",
                "capacityBytes", 1024 * GIB, "hostIds", List.of(source, target)));
        long net = create("/networks", Map.of("name", "e2e-net", "vlan", 10, "hostIds", List.of(source, target)));
        long vm = create("/vms", Map.of("name", "e2e-web", "memoryBytes", 8 * GIB, "vcpus", 2, "hostId", source,
                "volumes", List.of(Map.of("poolId", pool, "sizeBytes", 20 * GIB)), "networkIds", List.of(net)));

        String id = given().baseUri(scheduler.url()).contentType(ContentType.JSON)
                .body(Map.of("vmId", vm, "targetHostId", target, "maxDowntimeMillis", 50))
                .post("/migrations").then().statusCode(202).extract().jsonPath().getString("id");

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(300)).until(() -> {
            String phase = given().baseUri(scheduler.url()).get("/migrations/" + id).jsonPath().getString("phase");
            assertThat(phase).as("migration phase").isNotIn("FAILED", "CANCELLED");
            return "SUCCEEDED".equals(phase);
        });

        // Every event the worker published, straight from the topic: in order, nothing missing.
        List<MigrationEvent> published = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.MIGRATION_EVENTS,
                        r -> id.equals(r.key()), seen -> seen.stream().anyMatch(r -> r.value().contains("MIGRATION_SUCCEEDED")),
                        Duration.ofSeconds(20))
                .stream().map(r -> EventCodec.event(r.value())).filter(e -> !e.isDecision()).toList();
        assertThat(published).extracting(MigrationEvent::sequence)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, published.size()).boxed().toList());
        List<MigrationEvent> rounds = published.stream().filter(e -> e.type() == EventType.ROUND_COMPLETED).toList();
        assertThat(rounds).extracting(e -> e.round().round())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, rounds.size()).boxed().toList());
        assertThat(rounds.get(0).round().pagesSent()).isEqualTo(8 * GIB / 4096); // every page, zero pages as headers only
        long totalBytes = rounds.stream().mapToLong(e -> e.round().bytesSent()).sum();

        // The scheduler shows the phase, every round and the bytes.
        JsonPath m = given().baseUri(scheduler.url()).get("/migrations/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(m.getList("rounds.round", Integer.class)).containsExactlyElementsOf(
                IntStream.rangeClosed(1, rounds.size()).boxed().toList());
        assertThat(m.getLong("bytesSent")).isEqualTo(totalBytes);
        assertThat(m.getString("driver")).isEqualTo("simulated");
        assertThat(m.getList("history.to", String.class)).containsExactly("QUEUED", "SCHEDULED", "RUNNING", "SUCCEEDED");
        assertThat(m.getLong("downtimeMillis")).isPositive();

        // The audit trail: the request and who made it, the start command, the worker's claim, every event in the order
        // published, the decision.
        JsonPath trail = given().baseUri(scheduler.url()).get("/migrations/" + id + "/events").then().extract().jsonPath();
        List<String> types = trail.getList("type", String.class);
        assertThat(types.subList(0, 3)).containsExactly("MIGRATION_REQUESTED", "START", "CLAIM");
        assertThat(trail.getString("[0].principal.name")).isEqualTo("admin");
        assertThat(trail.getString("[2].note")).startsWith("granted: worker ");
        int events = published.size();
        assertThat(trail.getList("recordId", String.class).subList(3, 3 + events))
                .containsExactlyElementsOf(published.stream().map(MigrationEvent::eventId).toList());
        // only the measurement before round 1 says what it did: it made the forecast again, and keeps the request's
        int measured = published.stream().map(MigrationEvent::type).toList().indexOf(EventType.DIRTY_RATE_MEASURED);
        assertThat(published).extracting(MigrationEvent::type).filteredOn(t -> t != EventType.HEARTBEAT).as("the worker "
                + "measured the guest before round 1").startsWith(EventType.MIGRATION_STARTED, EventType.DIRTY_RATE_MEASURED);
        assertThat(trail.getString("[" + (3 + measured) + "].note")).startsWith("applied: forecast again from the measured "
                + "writing: now ").contains("was ");
        List<Object> notes = new ArrayList<>(trail.getList("note").subList(3, 3 + events));
        notes.remove(measured);
        assertThat(notes).containsOnlyNulls();
        assertThat(m.getString("prediction.basis")).startsWith("measured just before the start (simulated sample: ");
        assertThat(trail.getString("[" + (3 + events) + "].direction")).isEqualTo("COMMAND_SENT");
        assertThat(trail.getString("[" + (3 + events) + "].note")).startsWith("decision: worker ");
        assertThat(types).hasSize(4 + events);

        // Inventory: the VM on the destination, the reservation turned into placement, and only one.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(given().baseUri(inventory.url()).get("/vms/" + vm).jsonPath().getLong("hostId")).isEqualTo(target));
        JsonPath holds = given().baseUri(inventory.url()).queryParam("migrationId", id).get("/reservations").jsonPath();
        assertThat(holds.getList("state", String.class)).containsExactly("COMMITTED");
        assertThat(given().baseUri(inventory.url()).queryParam("hostId", target).queryParam("state", "ACTIVE")
                .get("/reservations").jsonPath().getList("$")).isEmpty();
        assertThat(given().baseUri(inventory.url()).queryParam("hostId", source).get("/vms").jsonPath().getList("$")).isEmpty();
    }

    @Test
    void aRefusedMigrationReportsEveryFailedRuleThroughTheScheduler() {
        long cluster = create("/clusters", Map.of("name", "e2e-refused"));
        long source = host(cluster, "e2e-r-hv-1");
        long isolated = host(cluster, "e2e-r-hv-2");
        long pool = create("/storage-pools", Map.of("name", "e2e-r-local", "type", "LOCAL", "scope", "HOST",
                "capacityBytes", 100 * GIB, "hostIds", List.of(source)));
        long vm = create("/vms", Map.of("name", "e2e-r-db", "memoryBytes", 4 * GIB, "vcpus", 2, "hostId", source,
                "volumes", List.of(Map.of("poolId", pool, "sizeBytes", 20 * GIB)), "networkIds", List.of()));

        given().baseUri(scheduler.url()).contentType(ContentType.JSON).body(Map.of("vmId", vm, "targetHostId", isolated))
                .post("/migrations").then().statusCode(422)
                .body("failedRules.code", org.hamcrest.Matchers.hasItem("STORAGE_REACHABLE"));
        assertThat(given().baseUri(scheduler.url()).queryParam("vmId", vm).get("/migrations").jsonPath().getList("$")).isEmpty();
        assertThat(given().baseUri(inventory.url()).get("/vms/" + vm).jsonPath().getLong("hostId")).isEqualTo(source);
    }

    @Test
    void evacuatingAHostOf20VmsMovesEveryOneThatCanGoTwoAtATimeAndReportsTheOneThatCannot() {
        long cluster = create("/clusters", Map.of("name", "e2e-evac"));
        long source = host(cluster, "e2e-evac-src");
        // destinations on 1 GbE, the source on 10 GbE: one migration at a time would leave most of its link idle, so the
        // plan takes as many at once as the host allows
        List<Long> targets = List.of(host(cluster, "e2e-evac-t1", 125_000_000L), host(cluster, "e2e-evac-t2", 125_000_000L),
                host(cluster, "e2e-evac-t3", 125_000_000L));
        List<Long> all = new ArrayList<>(targets);
        all.add(source);
        long shared = create("/storage-pools", Map.of("name", "e2e-evac-nfs", "type", "NFS", "scope", "CLUSTER",
                "capacityBytes", 1024 * GIB, "hostIds", all));
        long local = create("/storage-pools", Map.of("name", "e2e-evac-local", "type", "LOCAL", "scope", "HOST",
                "capacityBytes", 100 * GIB, "hostIds", List.of(source)));
        long net = create("/networks", Map.of("name", "e2e-evac-net", "vlan", 30, "hostIds", all));
        for (int i = 0; i < 20; i++) {
            create("/vms", Map.of("name", "e2e-evac-vm" + i, "memoryBytes", GIB, "vcpus", 1, "hostId", source,
                    "volumes", List.of(Map.of("poolId", shared, "sizeBytes", 10 * GIB)), "networkIds", List.of(net)));
        }
        long pinned = create("/vms", Map.of("name", "e2e-evac-local-db", "memoryBytes", GIB, "vcpus", 1, "hostId", source,
                "volumes", List.of(Map.of("poolId", local, "sizeBytes", 10 * GIB)), "networkIds", List.of(net)));

        JsonPath plan = given().baseUri(scheduler.url()).post("/hosts/" + source + "/evacuate")
                .then().statusCode(202).extract().jsonPath();
        String id = plan.getString("id");
        assertThat(plan.getList("moves")).hasSize(20);
        assertThat(plan.getInt("concurrency")).isEqualTo(2);
        assertThat(plan.getLong("predictedMakespanMillis")).isPositive();
        assertThat(plan.getList("unplaceable.vmId", Long.class)).containsExactly(pinned);
        assertThat(plan.getString("unplaceable[0].reason")).contains("STORAGE_REACHABLE");

        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500)).until(() ->
                !"RUNNING".equals(given().baseUri(scheduler.url()).get("/evacuations/" + id).jsonPath().getString("state")));
        JsonPath done = given().baseUri(scheduler.url()).get("/evacuations/" + id).jsonPath();
        assertThat(done.getString("state")).isEqualTo("COMPLETED");
        assertThat(done.getInt("progress.succeeded")).isEqualTo(20);

        // Never more than the host's outbound limit of 2 at once, by the scheduler's own phase history.
        List<long[]> busy = new ArrayList<>();
        for (String migration : done.getList("moves.migrationId", String.class)) {
            JsonPath m = given().baseUri(scheduler.url()).get("/migrations/" + migration).jsonPath();
            List<String> to = m.getList("history.to", String.class);
            List<String> at = m.getList("history.at", String.class);
            busy.add(new long[] {java.time.Instant.parse(at.get(to.indexOf("SCHEDULED"))).toEpochMilli(),
                    java.time.Instant.parse(at.get(to.indexOf("SUCCEEDED"))).toEpochMilli()});
        }
        int most = 0;
        for (long[] a : busy) {
            int overlapping = 0;
            for (long[] b : busy) {
                if (b[0] <= a[0] && a[0] < b[1]) {
                    overlapping++;
                }
            }
            most = Math.max(most, overlapping);
        }
        assertThat(most).isBetween(1, 2);

        // Inventory: the host is in maintenance and only the VM that cannot go anywhere is left on it.
        assertThat(given().baseUri(inventory.url()).get("/hosts/" + source).jsonPath().getString("state")).isEqualTo("MAINTENANCE");
        assertThat(given().baseUri(inventory.url()).queryParam("hostId", source).get("/vms").jsonPath().getList("id", Long.class))
                .containsExactly(pinned);
    }
}
