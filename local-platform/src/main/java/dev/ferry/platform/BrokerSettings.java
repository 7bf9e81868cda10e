package dev.ferry.platform;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one Kafka broker configuration of a single-node platform, for the local KRaft node of ./ferry and the tests'
 * in-process broker alike.
 */
public final class BrokerSettings {
    private BrokerSettings() {
    }

    /** What every single-node Ferry broker runs with. */
    public static Map<String, String> common() {
        Map<String, String> s = new LinkedHashMap<>();
        // Three partitions per topic: three workers can run migrations in parallel; keys keep one migration in order.
        s.put("num.partitions", "3");
        s.put("auto.create.topics.enable", "true");
        // One node: internal topics cannot have more replicas than that.
        s.put("offsets.topic.replication.factor", "1");
        s.put("transaction.state.log.replication.factor", "1");
        s.put("transaction.state.log.min.isr", "1");
        // A consumer joining an empty group starts at once instead of after 3 s.
        s.put("group.initial.rebalance.delay.ms", "0");
        return s;
    }

    /** server.properties of the local combined broker and controller. */
    public static Map<String, String> localNode(int port, int controllerPort, Path logDir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("process.roles", "broker,controller");
        s.put("node.id", "1");
        s.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        s.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        s.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        s.put("controller.listener.names", "CONTROLLER");
        s.put("inter.broker.listener.name", "PLAINTEXT");
        s.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        s.put("log.dirs", logDir.toString());
        s.putAll(common());
        return s;
    }
}
