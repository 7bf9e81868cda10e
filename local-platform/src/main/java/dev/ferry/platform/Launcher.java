package dev.ferry.platform;

import dev.ferry.platform.identity.LocalIdentity;
import dev.ferry.platform.identity.LocalRealm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The local platform, without Docker: PostgreSQL, a Kafka node and the three services, each started once, found again
 * by its pid file, and stopped by that pid. ./ferry builds what is missing and hands over to this class.
 *
 * <p>Usage: {@code Launcher up | down | status | demo [vm] [max-downtime-ms] [driver-label] | reset}, run in the project
 * directory; ports and timeouts come from the FERRY_* environment variables.
 */
public final class Launcher {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private final Layout layout;

    public Launcher(Layout layout) {
        this.layout = layout;
    }

    public static void main(String[] args) {
        Path root = Path.of(System.getProperty("ferry.root", ".")).toAbsolutePath().normalize();
        Launcher launcher = new Launcher(Layout.of(root, System.getenv()));
        try {
            int code = switch (args.length == 0 ? "" : args[0]) {
                case "up" -> launcher.up();
                case "down" -> launcher.down();
                case "status" -> launcher.status();
                case "reset" -> launcher.reset();
                case "demo" -> launcher.demo(args);
                case "dead-letters" -> launcher.deadLetters(args);
                case "token" -> launcher.token(args);
                default -> {
                    System.err.println("usage: Launcher up | down | status | demo [vm] [max-downtime-ms] | reset"
                            + " | dead-letters [topic | replay <topic>] | token [viewer|operator|admin]");
                    yield 2;
                }
            };
            ClassData.awaitTrainingsEnded(java.time.Duration.ofSeconds(90)); // before exit, which would cut them short
            System.exit(code);
        } catch (LaunchException e) {
            System.err.println("ferry: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            System.exit(130);
        } catch (RuntimeException e) {
            System.err.println("ferry: unexpected failure: " + e);
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }

    /**
     * ./ferry dead-letters: how many records each dead-letter topic holds and why; with a topic, each record; with
     * "replay topic", each record not replayed before goes back to the topic it came from.
     */
    int deadLetters(String[] args) {
        String bootstrap = "127.0.0.1:" + layout.kafkaPort();
        if (!Ports.open(layout.kafkaPort())) {
            throw new LaunchException("Kafka does not answer on " + bootstrap + ": ./ferry up first");
        }
        if (args.length >= 3 && "replay".equals(args[1])) {
            int sent = DeadLetters.replay(bootstrap, args[2], System.out);
            System.out.println(sent + " record(s) replayed from " + args[2]);
            return 0;
        }
        if (args.length >= 2) {
            for (DeadLetters.Letter l : DeadLetters.list(bootstrap, args[1])) {
                System.out.printf("%s@%d:%d  %s  key %s  %s%n    reason: %s%n    record: %s%n", l.topic(), l.partition(), l.offset(),
                        l.at(), l.key(), l.replayed() ? "(replayed)" : "", l.reason(),
                        l.value() == null ? "" : l.value().substring(0, Math.min(300, l.value().length())));
            }
            return 0;
        }
        for (String topic : DeadLetters.TOPICS) {
            try {
                var letters = DeadLetters.list(bootstrap, topic);
                long open = letters.stream().filter(l -> !l.replayed()).count();
                System.out.printf("%-24s %d record(s), %d not replayed%n", topic, letters.size(), open);
            } catch (LaunchException missing) {
                System.out.printf("%-24s none%n", topic);
            }
        }
        return 0;
    }

    public int up() {
        mkdirs();
        Path pgData = layout.data().resolve("postgres");
        started("postgres", pgMarker(pgData), () -> {
            Ports.requireFree("PostgreSQL", layout.dbPort(), "FERRY_DB_PORT");
            return PostgresServer.start(pgData, layout.dbPort(), layout.log("postgres"), layout.startTimeout());
        }, p -> { }, "ready on 127.0.0.1:" + layout.dbPort());
        PostgresServer.createDatabases(layout.dbPort());
        started("kafka", layout.state().resolve("kafka/server.properties").toString(), () -> {
            Ports.requireFree("Kafka", layout.kafkaPort(), "FERRY_KAFKA_PORT");
            Ports.requireFree("the Kafka controller", layout.kafkaControllerPort(), "FERRY_KAFKA_CONTROLLER_PORT");
            return KafkaNode.start(layout, true);
        }, p -> p.awaitReady(() -> Ports.open(layout.kafkaPort()), layout.startTimeout()),
                "ready on 127.0.0.1:" + layout.kafkaPort() + " (KRaft)");
        LocalRealm.loadOrCreate(layout.identity()); // the realm's files, before the provider that serves them starts
        started("identity", layout.identity().toString(), () -> {
            Ports.requireFree("the identity provider", layout.identityPort(), "FERRY_IDENTITY_PORT");
            return Supervised.start("identity", List.of(ServiceJdk.launcherJava(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    LocalIdentity.class.getName(), layout.identity().toString(), Integer.toString(layout.identityPort())),
                    Map.of(), layout.log("identity"), true, layout.identity().toString());
        }, p -> p.awaitReady(() -> Ports.open(layout.identityPort()), layout.startTimeout()), "ready, issuer " + layout.identityIssuer());
        for (FerryService s : FerryService.values()) {
            int port = layout.servicePort(s);
            int management = layout.managementPort(s);
            started(s.shortName, s.jar(layout.root()).toString(), () -> startService(s),
                    p -> awaitService(p, management), "ready on http://127.0.0.1:" + port + " (health and metrics on " + management + ")");
        }
        Http.signIn(LocalLogin.token(layout, "admin"));
        DemoInventory.load(url(FerryService.INVENTORY));
        System.out.printf("%nFerry is up.%n"
                + "  inventory-service  %s   Swagger UI %s/q/swagger-ui   health, metrics %s/q/health, /q/metrics%n"
                + "  scheduler-service  %s   Swagger UI %s/q/swagger-ui   health, metrics %s/q/health, /q/metrics%n"
                + "  web console        %s/console/   (sign in as viewer, operator or admin)%n"
                + "  migration-worker   %s   (driver: %s)   health, metrics %s/q/health, /q/metrics%n"
                + "  Kafka              127.0.0.1:%d   PostgreSQL 127.0.0.1:%d (user ferry, password ferry)%n"
                + "  identity           %s   users viewer, operator, admin (passwords in %s)%n"
                + "  logs               %s%n%nEvery API needs a token:  TOKEN=$(./ferry token operator)%n"
                + "  curl -H \"Authorization: Bearer $TOKEN\" %s/migrations%n"
                + "%nNext: ./ferry demo      (one live migration, round by round)%n"
                + "      ./ferry down      (stop everything)%n", url(FerryService.INVENTORY), url(FerryService.INVENTORY),
                management(FerryService.INVENTORY), url(FerryService.SCHEDULER), url(FerryService.SCHEDULER),
                management(FerryService.SCHEDULER), url(FerryService.SCHEDULER), url(FerryService.WORKER), read(layout.state().resolve("worker-driver")),
                management(FerryService.WORKER),
                layout.kafkaPort(), layout.dbPort(), layout.identityIssuer(), layout.identity().resolve("realm.json"), layout.logs(),
                url(FerryService.SCHEDULER));
        return 0;
    }

    /**
     * Starts one service of the platform as ./ferry up does (its environment, ports, heap and log), without waiting for
     * it: its pid file is written, readiness is the caller's to await. The identity provider must have been started.
     */
    public Supervised startService(FerryService s) {
        return startService(s, s.shortName, layout.servicePort(s), layout.managementPort(s), Map.of());
    }

    /**
     * Starts another instance of a service (a second worker, say) under its own name, ports, log and pid file, with
     * settings over the platform's; stopping it is the caller's: ./ferry down knows only the platform's own.
     */
    public Supervised startService(FerryService s, String name, int port, int management, Map<String, String> overrides) {
        Map<String, String> env = serviceEnv(s, LocalRealm.loadOrCreate(layout.identity()));
        env.putAll(overrides);
        Ports.requireFree(name, port, s.portVariable);
        Ports.requireFree(name + "'s management interface", management, s.managementPortVariable);
        if (s == FerryService.WORKER && name.equals(s.shortName)) {
            write(layout.state().resolve("worker-driver"), env.get("FERRY_WORKER_DRIVER"));
        }
        Supervised p = s.start(layout.root(), env, port, management, layout.log(name), FerryService.HEAP, true);
        p.writePid(layout.pidFile(name));
        return p;
    }

    /** The service ./ferry up started, while its pid file names it and it runs. */
    public Optional<Supervised> running(FerryService s) {
        return running(s.shortName);
    }

    /** ./ferry token [user]: a bearer token for a demo user of the local identity provider, on stdout alone. */
    int token(String[] args) {
        System.out.println(LocalLogin.token(layout, args.length > 1 ? args[1] : "operator"));
        return 0;
    }

    /**
     * Starts a component unless its pid file names one that still runs. The pid is written before the wait, so that
     * ./ferry down stops a component that never became ready too.
     */
    private void started(String name, String marker, java.util.function.Supplier<Supervised> start,
            java.util.function.Consumer<Supervised> awaitReady, String readyMessage) {
        Optional<Supervised> running = Supervised.find(name, layout.pidFile(name), layout.log(name), marker);
        if (running.isPresent()) {
            say(name, "already running (pid " + running.get().pid() + ")");
            return;
        }
        Supervised p = start.get();
        p.writePid(layout.pidFile(name));
        awaitReady.accept(p);
        say(name, readyMessage);
    }

    private void awaitService(Supervised p, int managementPort) {
        try {
            p.awaitReady(() -> FerryService.ready(managementPort), layout.startTimeout());
        } catch (LaunchException e) {
            String tail = p.tail();
            boolean olderSchema = tail.contains("checksum mismatch") || tail.contains("Validate failed") || tail.contains("out of order");
            throw olderSchema ? new LaunchException(e.getMessage() + "\nThe local database was made by an older Ferry; "
                    + "./ferry reset deletes the local data and starts afresh.") : e;
        }
    }

    private Map<String, String> serviceEnv(FerryService service, LocalRealm realm) {
        Map<String, String> env = new HashMap<>();
        env.put("FERRY_OIDC_URL", layout.identityIssuer());
        env.put("FERRY_SWAGGER_UI", "true");
        // each service that calls another signs in as its own client, with its own secret
        realm.client(service.module).ifPresent(c -> {
            env.put("FERRY_OIDC_CLIENT_ID", c.id());
            env.put("FERRY_OIDC_CLIENT_SECRET", c.secret());
        });
        env.put("FERRY_KAFKA_BOOTSTRAP", "127.0.0.1:" + layout.kafkaPort());
        env.put("FERRY_DB_HOST", "127.0.0.1");
        env.put("FERRY_DB_PORT", Integer.toString(layout.dbPort()));
        env.put("FERRY_INVENTORY_URL", url(FerryService.INVENTORY));
        env.put("FERRY_SCHEDULER_URL", url(FerryService.SCHEDULER));
        env.put("FERRY_WORKER_QEMU_RUN_DIR", layout.state().resolve("qemu").toString());
        env.put("FERRY_WORKER_DRIVER", layout.env().getOrDefault("FERRY_WORKER_DRIVER", "simulated"));
        return env;
    }

    /** Stops what ./ferry up started, by the pids it wrote, newest first; QEMU guests of the QEMU demo too. */
    public int down() {
        List<String> names = new ArrayList<>(List.of("worker", "scheduler", "inventory", "identity", "kafka", "postgres"));
        names.addAll(0, qemuPidNames());
        names.addAll(0, pidNames("libvirt-"));
        int code = 0;
        for (String name : names) {
            Optional<Supervised> p = running(name);
            if (p.isPresent() && name.startsWith("libvirt-")) {
                destroyGuests(name.substring("libvirt-".length()));
            }
            if (p.isPresent()) {
                // PostgreSQL's fast shutdown is SIGINT: SIGTERM would wait for every client to leave
                Supervised.Signal signal = name.equals("postgres") ? Supervised.Signal.INT : Supervised.Signal.TERM;
                boolean writes = p.get().writesClassDataAtExit();
                if (writes) {
                    say(name, "stopping: it may write its class data as it exits, once after each build (waited for up to "
                            + ClassData.WRITING_AT_EXIT.toMinutes() + " minutes)");
                }
                if (p.get().stop(signal, STOP_TIMEOUT)) {
                    say(name, "did not stop within " + (writes ? ClassData.WRITING_AT_EXIT : STOP_TIMEOUT).toSeconds() + " s; killed");
                }
                if (p.get().alive()) {
                    say(name, "could not be stopped (pid " + p.get().pid() + "); its pid file stays for another ./ferry down");
                    code = 1;
                    continue;
                }
                say(name, "stopped");
            }
            delete(layout.pidFile(name));
        }
        return code;
    }

    int status() {
        for (String name : List.of("postgres", "kafka", "identity", "inventory", "scheduler", "worker")) {
            Optional<Supervised> p = running(name);
            String state = p.map(s -> "running (pid " + s.pid() + ")").orElse("stopped");
            for (FerryService s : FerryService.values()) {
                if (p.isPresent() && s.shortName.equals(name)) {
                    state += FerryService.ready(layout.managementPort(s)) ? ", ready" : ", NOT ready";
                }
            }
            System.out.printf("%-10s port %-5d %s%n", name, port(name), state);
        }
        return 0;
    }

    int reset() {
        down();
        Trees.delete(layout.data());
        Trees.delete(layout.state().resolve("kafka"));
        System.out.println("local data deleted");
        return 0;
    }

    int demo(String[] args) throws InterruptedException {
        for (FerryService s : FerryService.values()) {
            if (Supervised.find(s.shortName, layout.pidFile(s.shortName), layout.log(s.shortName), marker(s.shortName)).isEmpty()) {
                throw new LaunchException("Ferry is not running; start it with ./ferry up");
            }
        }
        String vm = args.length > 1 ? args[1] : "web-1";
        long downtime = 50;
        if (args.length > 2) {
            try {
                downtime = Long.parseLong(args[2]);
            } catch (NumberFormatException e) {
                throw new LaunchException("the downtime target must be a number of milliseconds, not " + args[2]
                        + " (usage: ./ferry demo [vm] [max-downtime-ms])");
            }
        }
        String driver = args.length > 3 ? args[3] : "libvirt".equals(read(layout.state().resolve("worker-driver")))
                ? "libvirt: a peer-to-peer live migration between two libvirt daemons on this machine (TCG)" : DemoMigration.SIMULATED;
        return DemoMigration.run(url(FerryService.INVENTORY), url(FerryService.SCHEDULER), LocalLogin.token(layout, "operator"),
                vm, downtime, driver);
    }

    /** A component by the pid file ./ferry wrote; PostgreSQL also by its own, when a start was cut short. */
    private Optional<Supervised> running(String name) {
        Optional<Supervised> p = Supervised.find(name, layout.pidFile(name), layout.log(name), marker(name));
        return p.isPresent() || !name.equals("postgres") ? p
                : PostgresServer.running(layout.data().resolve("postgres"), layout.log("postgres"));
    }

    private String marker(String name) {
        return switch (name) {
            case "postgres" -> pgMarker(layout.data().resolve("postgres"));
            case "kafka" -> layout.state().resolve("kafka/server.properties").toString();
            case "identity" -> layout.identity().toString();
            case "inventory" -> FerryService.INVENTORY.jar(layout.root()).toString();
            case "scheduler" -> FerryService.SCHEDULER.jar(layout.root()).toString();
            case "worker" -> FerryService.WORKER.jar(layout.root()).toString();
            // a guest of the QEMU demo: its QMP socket lies under the run directory, on its command line
            default -> name.startsWith("libvirt-") ? "libvirtd" : layout.state().resolve("qemu").toString();
        };
    }

    private static String pgMarker(Path dataDir) {
        return dataDir.toString();
    }

    private int port(String name) {
        return switch (name) {
            case "postgres" -> layout.dbPort();
            case "kafka" -> layout.kafkaPort();
            case "identity" -> layout.identityPort();
            default -> layout.servicePort(FerryService.valueOf(name.toUpperCase()));
        };
    }

    /**
     * The guests of a libvirt demo host outlive its libvirtd (as on a real host): destroyed first, by the URI the demo
     * wrote, so that nothing of the demo keeps running.
     */
    private void destroyGuests(String host) {
        Path uriFile = layout.state().resolve("libvirt").resolve(host + ".uri");
        try {
            String uri = Files.readString(uriFile).trim();
            for (String domain : LibvirtHost.virshAt(uri, "list", "--name").lines().map(String::trim).filter(l -> !l.isEmpty()).toList()) {
                LibvirtHost.virshAt(uri, "destroy", domain);
                say("guest " + domain, "destroyed on " + host);
            }
        } catch (IOException e) {
            say("libvirt-" + host, "its guests could not be listed (" + e.getMessage() + "); stopping the daemon anyway");
        }
    }

    private List<String> pidNames(String prefix) {
        try (Stream<Path> files = Files.exists(layout.pids()) ? Files.list(layout.pids()) : Stream.empty()) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith(prefix) && f.endsWith(".pid"))
                    .map(f -> f.substring(0, f.length() - 4)).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private List<String> qemuPidNames() {
        return pidNames("qemu-");
    }

    private String url(FerryService s) {
        return "http://127.0.0.1:" + layout.servicePort(s);
    }

    private String management(FerryService s) {
        return "http://127.0.0.1:" + layout.managementPort(s);
    }

    private void mkdirs() {
        try {
            Files.createDirectories(layout.logs());
            Files.createDirectories(layout.pids());
            Files.createDirectories(layout.data());
        } catch (IOException e) {
            throw new LaunchException("could not create " + layout.state() + ": " + e.getMessage(), e);
        }
    }

    private static void say(String name, String what) {
        System.out.printf("%-11s %s%n", name, what);
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new LaunchException("could not write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            return "?";
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a pid file that cannot be deleted names a stopped process: harmless, find() checks it
        }
    }
}
