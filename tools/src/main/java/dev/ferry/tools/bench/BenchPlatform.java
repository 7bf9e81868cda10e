package dev.ferry.tools.bench;

import dev.ferry.platform.FerryService;
import dev.ferry.platform.Launcher;
import dev.ferry.platform.Layout;
import dev.ferry.platform.Ports;
import dev.ferry.platform.Supervised;
import dev.ferry.platform.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A control-plane benchmark's own platform: PostgreSQL, Kafka, the identity provider and the three services as
 * {@code ./ferry up} starts them, on free ports under a temporary directory, so that a run never meets a developer's
 * platform. Closing it (or Ctrl-C) stops everything it started and keeps the logs in {@code tools/target/<logs>}.
 */
final class BenchPlatform implements AutoCloseable {
    /** Set once a platform is being stopped (Ctrl-C): nothing may be started after that. */
    private static volatile boolean stopping;

    final Layout layout;
    final Launcher launcher;
    private final String logs;
    private final Thread cleanUp;

    BenchPlatform(String logs) throws IOException {
        this.logs = logs;
        Path root = Path.of(System.getProperty("ferry.root", ".")).toAbsolutePath().normalize();
        Path state = Files.createTempDirectory("ferry-" + logs);
        Map<String, String> env = new HashMap<>(System.getenv());
        for (String port : List.of("FERRY_KAFKA_PORT", "FERRY_KAFKA_CONTROLLER_PORT", "FERRY_DB_PORT", "FERRY_IDENTITY_PORT")) {
            env.put(port, Integer.toString(Ports.free()));
        }
        for (FerryService s : FerryService.values()) {
            env.put(s.portVariable, Integer.toString(Ports.free()));
            env.put(s.managementPortVariable, Integer.toString(Ports.free()));
        }
        env.put("FERRY_WORKER_DRIVER", "simulated");
        layout = new Layout(root, state, env);
        launcher = new Launcher(layout);
        cleanUp = new Thread(this::stop, "bench-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
    }

    static void checkNotStopping() {
        if (stopping) {
            throw new IllegalStateException("the benchmark is stopping: nothing more is started");
        }
    }

    String url(FerryService s) {
        return "http://127.0.0.1:" + layout.servicePort(s);
    }

    /** Stops the three services, leaving PostgreSQL, Kafka and the identity provider up. */
    void stopServices() {
        for (FerryService s : FerryService.values()) {
            launcher.running(s).ifPresent(p -> p.stop(Supervised.Signal.TERM, Duration.ofSeconds(30)));
        }
    }

    @Override
    public void close() {
        stop();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook runs (or ran) the same clean-up
        }
    }

    /** Stops the platform; its logs stay in tools/target for a look at an outlier. */
    private synchronized void stop() {
        stopping = true;
        Path state = layout.state();
        if (Files.exists(state)) {
            // the extra workers of the concurrency run, which ./ferry down does not know
            for (int w = 2; w <= ConcurrencyRun.WORKERS; w++) {
                String name = "worker-" + w;
                Supervised.find(name, layout.pidFile(name), layout.log(name), FerryService.WORKER.jar(layout.root()).toString())
                        .ifPresent(p -> p.stop(Supervised.Signal.TERM, Duration.ofSeconds(30)));
            }
            launcher.down();
            Path kept = layout.root().resolve("tools/target").resolve(logs);
            try {
                Trees.delete(kept);
                Files.createDirectories(kept.getParent());
                Files.move(state.resolve("logs"), kept);
            } catch (IOException | RuntimeException e) {
                System.err.println("logs not kept in " + kept + ": " + e.getMessage());
            }
            Trees.delete(state);
        }
    }
}
