package dev.ferry.platform;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One of Ferry's three services, run the way a user runs it: java -jar on its built artifact, configured by environment. */
public enum FerryService {
    INVENTORY("inventory", "inventory-service", "FERRY_INVENTORY_PORT", 8081, "FERRY_INVENTORY_MANAGEMENT_PORT", 9081),
    SCHEDULER("scheduler", "scheduler-service", "FERRY_SCHEDULER_PORT", 8082, "FERRY_SCHEDULER_MANAGEMENT_PORT", 9082),
    WORKER("worker", "migration-worker", "FERRY_WORKER_PORT", 8083, "FERRY_WORKER_MANAGEMENT_PORT", 9083);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /**
     * The collector a pod's limits give the JVM, and a small initial heap as they do (1 CPU and 512-768 MiB: under
     * 2 CPUs or 1,792 MiB the JVM picks the serial collector and starts the heap at 1/64 of the limit, 8-12 MiB), where
     * this machine's 2 cores and 23.5 GiB would give G1 and a 376 MiB initial heap. Measured here
     * (docs/benchmarks/README.md, "The JVM a pod gets"): the scheduler 272 MiB resident 10 s after ready instead of
     * 323, and no slower to start (inventory and the worker neither faster nor slower beyond the spread of 3 starts).
     * And the native heap trimmed every second, as the images do ({@code BuildImages.JAVA_TOOL_OPTIONS}): glibc keeps
     * native memory the JVM freed, 16 to 24 MiB of a service here (docs/benchmarks/README.md, "Memory glibc keeps"),
     * where the services' JVM has the option ({@link #TRIM}, {@link #trims}).
     */
    public static List<String> podJvm() {
        return podJvm(trims(ServiceJdk.chosen()));
    }

    /**
     * Trims the native heap every second: a product option in Java 17 and 21 updates released after January 2024
     * (17.0.15 here), a locked experiment in the few before (17.0.9 and 17.0.10, 21.0.1 and 21.0.2); Java 18 to 20 and
     * 21.0.0 do not know it and would not start with it.
     */
    static final String TRIM = "-XX:TrimNativeHeapInterval=1000";
    /**
     * Whether the services' JVM takes {@link #TRIM}: Java 22 and later have it as a product option; an older JDK only
     * when it is this very JVM and shows the option.
     */
    static boolean trims(ServiceJdk jdk) {
        return jdk.major() >= 22 || same(jdk.home(), Path.of(System.getProperty("java.home"))) && hasOption("TrimNativeHeapInterval");
    }

    private static boolean same(Path a, Path b) {
        try {
            return a.toRealPath().equals(b.toRealPath());
        } catch (java.io.IOException e) {
            return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        }
    }

    static List<String> podJvm(boolean trim) {
        return trim ? List.of("-XX:+UseSerialGC", "-Xms32m", TRIM) : List.of("-XX:+UseSerialGC", "-Xms32m");
    }

    /**
     * Whether this JVM (the launcher's) has the option {@code name} and takes it without unlocking: the management
     * interface does not show a locked (experimental, diagnostic) option either.
     */
    static boolean hasOption(String name) {
        try {
            java.lang.management.ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class)
                    .getVMOption(name);
            return true;
        } catch (IllegalArgumentException | UnsupportedOperationException | NullPointerException | LinkageError absent) {
            return false;
        }
    }

    /** Replaces {@link #podJvm()} when set, in the launcher's environment or the service's (empty: the JVM's choice). */
    public static final String JVM_OPTIONS = "FERRY_JVM_OPTIONS";
    /** The heap ./ferry up gives each service: near the 346 MiB (45 % of 768 MiB) the images give a scheduler pod. */
    public static final String HEAP = "384m";

    /** The JVM options beside the heap for a service started with {@code env}: podJvm(), or what JVM_OPTIONS says. */
    public static List<String> jvmOptions(Map<String, String> env) {
        return jvmOptions(env, System::getenv);
    }

    /** As {@link #jvmOptions(Map)}, with the launcher's own environment given. */
    static List<String> jvmOptions(Map<String, String> env, java.util.function.UnaryOperator<String> launcherEnv) {
        String set = env.containsKey(JVM_OPTIONS) ? env.get(JVM_OPTIONS) : launcherEnv.apply(JVM_OPTIONS);
        if (set == null) {
            return podJvm();
        }
        return set.isBlank() ? List.of() : List.of(set.trim().split("\\s+"));
    }

    /**
     * How ./ferry up runs a service, for the benchmarks' reports: {@code java -Xmx384m ... -jar} (and the class-data
     * archive's flags, {@link ClassData}, which change nothing but where classes are read from).
     */
    public static String commandLine() {
        List<String> line = new java.util.ArrayList<>(List.of("java (" + ServiceJdk.chosen().describe() + ")"));
        line.addAll(jvm(HEAP, Map.of()));
        line.add("-jar");
        return String.join(" ", line);
    }

    /** The heap limit and the options beside it: the one place both a start and its report take them from. */
    private static List<String> jvm(String heap, Map<String, String> env) {
        List<String> options = new java.util.ArrayList<>(List.of("-Xmx" + heap));
        options.addAll(jvmOptions(env));
        return options;
    }

    public final String shortName;
    public final String module;
    public final String portVariable;
    public final int defaultPort;
    /** Health and metrics answer on a port of their own, without a token, which the API's ingress does not expose. */
    public final String managementPortVariable;
    public final int defaultManagementPort;

    FerryService(String shortName, String module, String portVariable, int defaultPort, String managementPortVariable,
            int defaultManagementPort) {
        this.shortName = shortName;
        this.module = module;
        this.portVariable = portVariable;
        this.defaultPort = defaultPort;
        this.managementPortVariable = managementPortVariable;
        this.defaultManagementPort = defaultManagementPort;
    }

    public Path jar(Path root) {
        return root.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }

    /** Starts the service on {@code port}, its health and metrics on {@code managementPort}; {@code heap} as for java -Xmx. */
    public Supervised start(Path root, Map<String, String> env, int port, int managementPort, Path log, String heap, boolean detached) {
        Path jar = jar(root);
        if (!Files.exists(jar)) {
            throw new LaunchException(jar + " is missing: build Ferry first (./mvnw install -DskipTests; ./ferry up builds it)");
        }
        Map<String, String> all = new HashMap<>(env);
        all.put(portVariable, Integer.toString(port));
        all.put(managementPortVariable, Integer.toString(managementPort));
        List<String> command = new java.util.ArrayList<>(List.of(java()));
        List<String> jvm = jvm(heap, env);
        command.addAll(jvm);
        command.addAll(ClassData.options(jar, env, jvm, ServiceJdk.chosen()));
        command.addAll(List.of("-jar", jar.toString()));
        Supervised started = Supervised.start(shortName, command, all, log, detached, jar.toString());
        ClassData.endTrainingWhenReady(started, command, () -> ready(managementPort), ServiceJdk.chosen(), Duration.ofMinutes(5));
        return started;
    }

    /** Readiness (on the management port) covers the service's database and Kafka. */
    public static boolean ready(int managementPort) {
        try {
            var r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/ready"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return r.statusCode() == 200;
        } catch (java.io.IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The java the services run on ({@link ServiceJdk}). */
    static String java() {
        return ServiceJdk.chosen().java();
    }
}
