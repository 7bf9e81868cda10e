package dev.ferry.e2e;

import dev.ferry.events.Topics;
import dev.ferry.platform.FerryService;
import dev.ferry.platform.Ports;
import dev.ferry.platform.Supervised;
import dev.ferry.platform.identity.LocalIdentity;
import dev.ferry.testsupport.TestBroker;
import dev.ferry.testsupport.TestDatabase;
import dev.ferry.testsupport.TestIdentity;
import io.restassured.RestAssured;
import io.restassured.builder.RequestSpecBuilder;
import io.restassured.config.HeaderConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The three services as processes from their jars, on the test broker and the test PostgreSQL, with databases and
 * logs of their own name, configured by environment the way a user runs them. Started and stopped by the local
 * platform's own code ({@link FerryService}, {@link Supervised}), as ./ferry does.
 */
final class Platform implements AutoCloseable {
    final Path root = Path.of(System.getProperty("ferry.root", "..")).toAbsolutePath().normalize();
    final Map<String, String> env = new HashMap<>();
    final List<Service> services = new ArrayList<>();
    final String name;
    Service inventory;
    Service scheduler;
    Service worker;
    /** How many of each service were started, so that a second replica logs to a file of its own. */
    private final Map<FerryService, Integer> started = new java.util.EnumMap<>(FerryService.class);
    /** Settings for one service only (its own client secret), over the shared ones. */
    private final Map<FerryService, Map<String, String>> own = new java.util.EnumMap<>(FerryService.class);

    /** A running service, the port its API answers on and the one its health and metrics answer on. */
    record Service(Supervised process, int port, int managementPort) {
        String url() {
            return "http://127.0.0.1:" + port;
        }

        String managementUrl() {
            return "http://127.0.0.1:" + managementPort;
        }

        void awaitReady(Duration timeout) {
            process.awaitReady(() -> FerryService.ready(managementPort), timeout);
        }
    }

    private Platform(String name) {
        this.name = name;
    }

    /** Where the services find Kafka and PostgreSQL. */
    record Infrastructure(String kafkaBootstrap, int dbPort, String dbUser, String dbPassword, String inventoryDb,
            String schedulerDb) {
    }

    /** The services on the test JVM's broker and PostgreSQL, in databases of their own name. */
    static Platform start(String name, Map<String, String> settings) {
        return start(name, settings, Map.of());
    }

    /** The same, with settings of one service's own (e.g. each caller's client secret at an identity provider). */
    static Platform start(String name, Map<String, String> settings, Map<FerryService, Map<String, String>> own) {
        TestBroker.createTopics(Topics.MIGRATION_COMMANDS, Topics.MIGRATION_EVENTS, Topics.MIGRATION_EVENTS_DLQ,
                Topics.MIGRATION_COMMANDS_DLQ, Topics.INVENTORY_EVENTS, Topics.INVENTORY_EVENTS_DLQ);
        int dbPort = TestDatabase.ensureDatabase(name + "_inventory");
        TestDatabase.ensureDatabase(name + "_scheduler");
        return start(name, new Infrastructure(TestBroker.bootstrapServers(), dbPort, "postgres", "postgres", name + "_inventory",
                name + "_scheduler"), settings, own);
    }

    /** The services on the given Kafka and PostgreSQL (a broker and a server a test may stop and start again). */
    static Platform start(String name, Infrastructure infra, Map<String, String> settings) {
        return start(name, infra, settings, Map.of());
    }

    private static Platform start(String name, Infrastructure infra, Map<String, String> settings,
            Map<FerryService, Map<String, String>> own) {
        Platform p = new Platform(name);
        p.own.putAll(own);
        p.env.putAll(Map.of(
                "FERRY_KAFKA_BOOTSTRAP", infra.kafkaBootstrap(),
                "FERRY_DB_HOST", "127.0.0.1",
                "FERRY_DB_PORT", Integer.toString(infra.dbPort()),
                "FERRY_DB_USER", infra.dbUser(),
                "FERRY_DB_PASSWORD", infra.dbPassword(),
                "FERRY_INVENTORY_DB", infra.inventoryDb(),
                "FERRY_SCHEDULER_DB", infra.schedulerDb()));
        // a dead worker is noticed in seconds; a live one says so every second, even mid-round
        p.env.put("FERRY_SCHEDULER_PROGRESS_TIMEOUT", "PT8S");
        p.env.put("FERRY_SCHEDULER_WATCHDOG_INTERVAL", "1s");
        p.env.put("FERRY_WORKER_HEARTBEAT_INTERVAL", "PT1S");
        // Test services carry test loads: C1 alone and the serial collector start them in about 2/3 of the time on two
        // cores (MigrationEndToEndIT's platform start and stop, median of 3 runs: 25.5 s against 37.6 s of 4 without).
        // (The serial collector and a 32 MiB initial heap are also what ./ferry up gives every service, FerryService:
        // since 2026-12-06 the test services start their heap at 32 MiB instead of their whole 256; CI's end-to-end
        // module took 11:10 then, 11:09 before.)
        p.env.put("JAVA_TOOL_OPTIONS", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC");
        // no class-data archive: a service's first stop would write one after it stopped, inside the grace FaultsIT checks
        p.env.put("FERRY_CLASS_DATA", "off");
        // the test JVM's OpenID provider: each service signs in as its own client (their ids are the services' defaults)
        LocalIdentity identity = TestIdentity.provider();
        p.env.put("FERRY_OIDC_URL", identity.issuer());
        p.env.put("FERRY_OIDC_CLIENT_SECRET", identity.realm().clients().get(0).secret());
        // the tests act as an admin (who may also do what operators and viewers do); a test of roles sends its own tokens
        actAs(TestIdentity.token("admin"));
        // an unexpected status prints the answer's body in the test's output: in a CI log, that is the only trace
        RestAssured.enableLoggingOfRequestAndResponseIfValidationFails();
        p.env.putAll(settings);
        p.inventory = p.add(FerryService.INVENTORY);
        p.env.put("FERRY_INVENTORY_URL", p.inventory.url());
        p.scheduler = p.add(FerryService.SCHEDULER);
        p.env.put("FERRY_SCHEDULER_URL", p.scheduler.url());
        p.worker = p.add(FerryService.WORKER);
        try {
            for (Service s : p.services) {
                s.awaitReady(Duration.ofSeconds(120));
            }
        } catch (RuntimeException notReady) {
            p.close(); // the services that did start must not outlive the failed test run
            throw notReady;
        }
        return p;
    }

    /**
     * Every RestAssured request of the test carries this bearer token from now on, unless it names its own (a test of
     * roles): that one replaces it rather than being sent second, where the service would read only the first.
     */
    static void actAs(String token) {
        // a RequestSpecBuilder starts from the current default specification: cleared first, or its header stays first
        RestAssured.requestSpecification = null;
        RestAssured.requestSpecification = new RequestSpecBuilder()
                .setConfig(RestAssured.config().headerConfig(HeaderConfig.headerConfig().overwriteHeadersWithName("Authorization")))
                .addHeader("Authorization", "Bearer " + token).build();
    }

    private Service add(FerryService service) {
        int nth = started.merge(service, 1, Integer::sum);
        String log = name + "-" + service.module + (service == FerryService.WORKER || nth > 1 ? "-" + nth : "");
        int port = Ports.free();
        int management = Ports.free();
        Map<String, String> serviceEnv = new HashMap<>(env);
        serviceEnv.putAll(own.getOrDefault(service, Map.of()));
        Service s = new Service(service.start(root, serviceEnv, port, management, root.resolve("e2e-tests/target/e2e-logs").resolve(log + ".log"),
                "256m", false), port, management);
        services.add(s);
        return s;
    }

    /** Another worker process, not waited for. */
    Service addWorker() {
        return add(FerryService.WORKER);
    }

    /** Another worker, claiming its migrations from these scheduler replicas, tried in turn. */
    Service addWorker(Service... schedulers) {
        String before = env.put("FERRY_SCHEDULER_URL", String.join(",",
                java.util.Arrays.stream(schedulers).map(Service::url).toList()));
        try {
            return add(FerryService.WORKER);
        } finally {
            env.put("FERRY_SCHEDULER_URL", before);
        }
    }

    /** Another scheduler replica on the same database, not waited for. */
    Service addScheduler() {
        return add(FerryService.SCHEDULER);
    }

    /** The running workers, oldest first. */
    List<Service> workers() {
        return services.stream().filter(s -> s.process().name().contains("worker") && s.process().alive()).toList();
    }

    /** The worker whose id (pid@host, the default) names the owner of a migration, if it is one of ours. */
    java.util.Optional<Service> worker(String ownerId) {
        return ownerId == null ? java.util.Optional.empty()
                : workers().stream().filter(w -> ownerId.startsWith(w.process().pid() + "@")).findFirst();
    }

    /** kill -9: no shutdown hook, no goodbye, as a host crash ends it. */
    void kill(Service worker) {
        worker.process().kill();
        services.remove(worker);
    }

    @Override
    public void close() {
        Supervised.stopAll(services.stream().map(Service::process).toList(), Duration.ofSeconds(20));
    }
}
