package dev.ferry.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import dev.ferry.platform.BrokerSettings;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real Kafka broker (KRaft, combined controller and broker) running in this JVM, one per test JVM.
 * Tests get their own broker so that nothing they produce leaks into a running local platform.
 */
public final class TestBroker {
    private static KafkaClusterTestKit cluster;

    private TestBroker() {
    }

    /** Starts the broker on first use and returns its bootstrap servers. */
    public static synchronized String bootstrapServers() {
        if (cluster == null) {
            try {
                // A broker whose log directory vanishes halts the JVM (Exit.halt(1)). Kafka's own temp directories
                // are deleted by a shutdown hook that races ours, so the broker gets a directory we delete after
                // closing it, and a halt inside a test JVM is reported instead of killing the JVM.
                Exit.setHaltProcedure((code, message) -> System.err.println("Kafka test broker asked to halt(" + code + "): " + message));
                Exit.setExitProcedure((code, message) -> System.err.println("Kafka test broker asked to exit(" + code + "): " + message));
                Path base = Files.createTempDirectory("ferry-test-kafka");
                KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setBaseDirectory(base)
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build());
                BrokerSettings.common().forEach(builder::setConfigProp); // the same broker as ./ferry's
                KafkaClusterTestKit kit = builder.setDeleteOnClose(true).build();
                kit.format();
                kit.startup();
                kit.waitForReadyBrokers();
                cluster = kit;
                Runtime.getRuntime().addShutdownHook(new Thread(TestBroker::stop, "test-broker-stop"));
            } catch (Exception e) {
                throw new IllegalStateException("could not start the in-process Kafka broker", e);
            }
        }
        return cluster.bootstrapServers();
    }

    /** Creates topics up front so that consumers never race topic auto-creation. */
    public static void createTopics(String... topics) {
        KafkaProbe.createTopics(bootstrapServers(), topics);
    }

    public static Map<String, String> quarkusConfig() {
        return Map.of("kafka.bootstrap.servers", bootstrapServers());
    }

    private static synchronized void stop() {
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception ignored) {
                // the JVM is exiting; the broker's files are temporary
            }
            cluster = null;
        }
    }
}
