package dev.ferry.e2e;

import dev.ferry.events.Topics;
import dev.ferry.testsupport.TestBroker;
import dev.ferry.testsupport.TestDatabase;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The three services as processes from their jars, on the test broker and the test PostgreSQL, with databases
 * and logs of their own name, configured by environment the way a user runs them.
 */
final class Platform implements AutoCloseable {
    final Path root = Path.of(System.getProperty("ferry.root", "..")).toAbsolutePath().normalize();
    final Map<String, String> env = new HashMap<>();
    final List<ServiceProcess> services = new ArrayList<>();
    final String name;
    ServiceProcess inventory;
    ServiceProcess scheduler;
    ServiceProcess worker;
    private int workers;

    private Platform(String name) {
        this.name = name;
    }

    static Platform start(String name, Map<String, String> settings) throws Exception {
        Platform p = new Platform(name);
        TestBroker.createTopics(Topics.MIGRATION_COMMANDS, Topics.MIGRATION_EVENTS, Topics.MIGRATION_EVENTS_DLQ,
                Topics.MIGRATION_COMMANDS_DLQ);
        int dbPort = TestDatabase.ensureDatabase(name + "_inventory");
        TestDatabase.ensureDatabase(name + "_scheduler");
        p.env.putAll(Map.of(
                "FERRY_KAFKA_BOOTSTRAP", TestBroker.bootstrapServers(),
                "FERRY_DB_HOST", "127.0.0.1",
                "FERRY_DB_PORT", Integer.toString(dbPort),
                "FERRY_DB_USER", "postgres",
                "FERRY_DB_PASSWORD", "postgres",
                "FERRY_INVENTORY_DB", name + "_inventory",
                "FERRY_SCHEDULER_DB", name + "_scheduler"));
        // a dead worker is noticed in seconds; a live one says so every second, even mid-round
        p.env.put("FERRY_SCHEDULER_PROGRESS_TIMEOUT", "PT8S");
        p.env.put("FERRY_SCHEDULER_WATCHDOG_INTERVAL", "1s");
        p.env.put("FERRY_WORKER_HEARTBEAT_INTERVAL", "PT1S");
        p.env.putAll(settings);
        p.inventory = p.add("inventory-service", "FERRY_INVENTORY_PORT");
        p.env.put("FERRY_INVENTORY_URL", p.inventory.url());
        p.scheduler = p.add("scheduler-service", "FERRY_SCHEDULER_PORT");
        p.worker = p.add("migration-worker", "FERRY_WORKER_PORT");
        for (ServiceProcess s : p.services) {
            s.awaitReady(Duration.ofSeconds(120));
        }
        return p;
    }

    private ServiceProcess add(String module, String portVariable) throws Exception {
        String log = name + "-" + module + (module.equals("migration-worker") ? "-" + ++workers : "");
        ServiceProcess s = ServiceProcess.start(root, module, log, env, portVariable);
        services.add(s);
        return s;
    }

    /** kill -9 the worker and start a new one in its place (not waiting for it to be ready). */
    void replaceWorker() throws Exception {
        worker.kill();
        services.remove(worker);
        worker = add("migration-worker", "FERRY_WORKER_PORT");
    }

    @Override
    public void close() throws InterruptedException {
        for (ServiceProcess s : services) {
            s.close();
        }
    }
}
