package dev.ferry.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives a @QuarkusTest a real Kafka broker and a real PostgreSQL database. Init arg {@code database}
 * names the database (omit it for a service without one); {@code topics} is a comma-separated list
 * of topics to create before the application starts.
 */
public class RealInfrastructure implements QuarkusTestResourceLifecycleManager {
    private String database;
    private String[] topics = new String[0];

    @Override
    public void init(Map<String, String> initArgs) {
        database = initArgs.get("database");
        String t = initArgs.get("topics");
        if (t != null && !t.isBlank()) {
            topics = t.split(",");
        }
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(TestBroker.quarkusConfig());
        if (topics.length > 0) {
            TestBroker.createTopics(topics);
        }
        if (database != null) {
            config.putAll(TestDatabase.quarkusConfig(database));
        }
        return config;
    }

    @Override
    public void stop() {
        // Broker and database live for the whole test JVM; shutdown hooks stop them.
    }
}
