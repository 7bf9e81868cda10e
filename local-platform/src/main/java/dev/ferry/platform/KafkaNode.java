package dev.ferry.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** The local platform's Kafka: one KRaft node (broker and controller) from the Maven Central jars, run as kafka.Kafka. */
public final class KafkaNode {
    private KafkaNode() {
    }

    /**
     * Formats the node's storage on first start and starts it; wait for its port to know it is ready.
     *
     * @param detached in a session of its own, outliving the caller (./ferry up); a benchmark keeps it attached
     */
    public static Supervised start(Layout layout, boolean detached) {
        Path config = layout.state().resolve("kafka");
        Path logDir = layout.data().resolve("kafka");
        Path properties = config.resolve("server.properties");
        Path log4j = config.resolve("log4j2.properties");
        try {
            Files.createDirectories(config);
            Files.writeString(properties, BrokerSettings.localNode(layout.kafkaPort(), layout.kafkaControllerPort(), logDir)
                    .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n", "", "\n")));
            Files.writeString(log4j, String.join("\n", "rootLogger.level=INFO", "rootLogger.appenderRef.stdout.ref=STDOUT",
                    "appender.stdout.type=Console", "appender.stdout.name=STDOUT", "appender.stdout.layout.type=PatternLayout",
                    "appender.stdout.layout.pattern=[%d] %p %m (%c)%n", "logger.kafka.name=kafka", "logger.kafka.level=WARN",
                    "logger.apache.name=org.apache.kafka", "logger.apache.level=WARN",
                    "logger.started.name=kafka.server.KafkaRaftServer", "logger.started.level=INFO", ""));
        } catch (IOException e) {
            throw new LaunchException("could not write Kafka's configuration under " + config + ": " + e.getMessage(), e);
        }
        List<String> java = List.of(ServiceJdk.launcherJava(), "-Xmx512m", "-Dlog4j2.configurationFile=" + log4j,
                "-cp", System.getProperty("java.class.path"));
        if (!Files.exists(logDir.resolve("meta.properties"))) {
            format(java, properties, layout.log("kafka-format"));
        }
        return Supervised.start("kafka", concat(java, List.of("kafka.Kafka", properties.toString())), Map.of(),
                layout.log("kafka"), detached, properties.toString());
    }

    /** KRaft storage is formatted once, with a cluster id of its own. */
    private static void format(List<String> jvm, Path properties, Path log) {
        List<String> cmd = concat(jvm, List.of("kafka.tools.StorageTool", "format", "-t",
                org.apache.kafka.common.Uuid.randomUuid().toString(), "-c", properties.toString()));
        try {
            Files.createDirectories(log.getParent());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new LaunchException("formatting Kafka's storage failed:\n" + Files.readString(log) + "full log: " + log);
            }
        } catch (IOException e) {
            throw new LaunchException("could not format Kafka's storage: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while formatting Kafka's storage");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
