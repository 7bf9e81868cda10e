package dev.ferry.images;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.Topics;
import dev.ferry.platform.FerryService;
import dev.ferry.platform.Ports;
import dev.ferry.platform.Supervised;
import dev.ferry.testsupport.TestBroker;
import dev.ferry.testsupport.TestDatabase;
import dev.ferry.testsupport.TestIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The images the build wrote (images/target/images), checked as a platform engineer would before pushing them: what
 * each declares (entrypoint, user, working directory, port), what the worker's carries (libvirt's client library,
 * every library it links found), and that each starts from its own file system as its own user and becomes ready
 * on a real Kafka broker and PostgreSQL. A broken image fails here, so it cannot land.
 */
class ServiceImagesIT {

    private static final Path IMAGES = Path.of(System.getProperty("ferry.images", "target/images"));
    private static final String TAG = System.getProperty("ferry.image.tag", "0.1.0");
    private static final Path WORK = IMAGES.resolveSibling("image-check");
    private static final String LIBVIRT = "/usr/lib/x86_64-linux-gnu/libvirt.so.0";
    private static final String LIBVIRT_QEMU = "/usr/lib/x86_64-linux-gnu/libvirt-qemu.so.0";

    private static final Map<String, OciImage> images = new LinkedHashMap<>();
    private static final Map<String, Container> containers = new HashMap<>();
    private static final List<Supervised> running = new ArrayList<>();

    @BeforeAll
    static void extract() throws Exception {
        assertThat(Shell.run("id", "-u").trim())
                .as("the image check extracts layers with their owners and runs them in a chroot: run it as root").isEqualTo("0");
        Shell.run("rm", "-rf", WORK.toString());
        for (ServiceImage spec : ServiceImage.ALL) {
            Path tar = IMAGES.resolve(spec.tarName(TAG));
            assertThat(tar).as("the build (mvn -Pimages package) writes " + tar).isRegularFile();
            OciImage image = OciImage.open(tar, WORK.resolve(spec.module() + "/oci"));
            images.put(spec.module(), image);
            containers.put(spec.module(), new Container(image, image.extractTo(WORK.resolve(spec.module() + "/rootfs"), WORK.resolve("layers"))));
        }
    }

    @AfterAll
    static void stop() {
        Supervised.stopAll(running, Duration.ofSeconds(20));
    }

    @Test
    void eachImageIsNamedForItsServiceAndDeclaresTheEntrypointUserAndPortItUses() {
        images.forEach((module, image) -> {
            assertThat(image.refName).isEqualTo("ferry/" + module + ":" + TAG);
            assertThat(image.entrypoint()).as(module).containsExactly("java", "-jar", "/deployments/quarkus-run.jar");
            assertThat(image.user()).as(module + ": not root; the manifests' runAsUser").isEqualTo("185");
            assertThat(image.workingDir()).as(module).isEqualTo("/deployments");
            // the port ./ferry, the compose file and the manifests reach the service on (the validator holds those)
            FerryService service = java.util.Arrays.stream(FerryService.values()).filter(s -> s.module.equals(module)).findFirst()
                    .orElseThrow();
            assertThat(image.exposedPorts()).as(module + ": the API's port and the management interface's")
                    .containsExactlyInAnyOrder(service.defaultPort + "/tcp", service.defaultManagementPort + "/tcp");
            assertThat(image.env()).as(module).anyMatch(e -> e.startsWith("JAVA_TOOL_OPTIONS=") && e.contains("MaxRAMPercentage")
                    && e.contains("TrimNativeHeapInterval"));
            // the base (one layer; two for the worker) and the service jar's three
            assertThat(image.layerCount()).as(module).isEqualTo(module.equals("migration-worker") ? 5 : 4);
        });
    }

    @Test
    void theEntrypointsJavaRunsAsTheImagesUserAndTheApplicationIsReadableButNotWritableByIt() throws Exception {
        for (var e : containers.entrySet()) {
            Shell.Result java = e.getValue().exec("java", "-version");
            assertThat(java.exit()).as(e.getKey() + ": " + java.output()).isZero();
            assertThat(java.output()).as(e.getKey()).contains("openjdk version \"17.");
            Shell.Result id = e.getValue().exec("id", "-u");
            assertThat(id.output().trim()).as(e.getKey()).isEqualTo("185");
            assertThat(e.getValue().exec("test", "-r", "/deployments/quarkus-run.jar").exit()).as(e.getKey()).isZero();
            assertThat(e.getValue().exec("test", "-w", "/deployments/app").exit())
                    .as(e.getKey() + ": the service cannot rewrite its own code").isNotZero();
        }
    }

    @Test
    void theWorkersImageCarriesLibvirtsClientLibraryWithEveryLibraryItLinksAndTheOthersDoNot() throws Exception {
        Container worker = containers.get("migration-worker");
        for (String library : List.of(LIBVIRT, LIBVIRT_QEMU)) {
            Shell.Result ldd = worker.exec("ldd", library);
            assertThat(ldd.exit()).as(ldd.output()).isZero();
            assertThat(ldd.output()).as(library).contains("libc.so.6").doesNotContain("not found");
        }
        for (String module : List.of("inventory-service", "scheduler-service")) {
            assertThat(containers.get(module).exec("test", "-e", LIBVIRT).exit()).as(module).isNotZero();
        }
    }

    @Test
    void eachImageStartsAsItsUserAndBecomesReadyOnRealKafkaAndPostgres() throws Exception {
        String kafka = TestBroker.bootstrapServers();
        TestBroker.createTopics(Topics.MIGRATION_COMMANDS, Topics.MIGRATION_EVENTS, Topics.MIGRATION_EVENTS_DLQ,
                Topics.MIGRATION_COMMANDS_DLQ, Topics.INVENTORY_EVENTS, Topics.INVENTORY_EVENTS_DLQ, Topics.HOST_PROBES,
                Topics.HOST_REPORTS, Topics.HOST_PROBES_DLQ, Topics.HOST_REPORTS_DLQ);
        int db = TestDatabase.ensureDatabase("images_inventory");
        TestDatabase.ensureDatabase("images_scheduler");
        Map<String, String> env = new HashMap<>(Map.of(
                "FERRY_KAFKA_BOOTSTRAP", kafka,
                "FERRY_DB_HOST", "127.0.0.1", "FERRY_DB_PORT", Integer.toString(db),
                "FERRY_DB_USER", "postgres", "FERRY_DB_PASSWORD", "postgres",
                "FERRY_INVENTORY_DB", "images_inventory", "FERRY_SCHEDULER_DB", "images_scheduler"));
        Map<FerryService, Integer> ports = new LinkedHashMap<>();
        Map<FerryService, Integer> management = new LinkedHashMap<>();
        for (FerryService s : FerryService.values()) {
            ports.put(s, Ports.free());
            management.put(s, Ports.free());
            env.put(s.portVariable, Integer.toString(ports.get(s)));
            env.put(s.managementPortVariable, Integer.toString(management.get(s)));
        }
        // the services take tokens from the test JVM's OpenID provider, and the callers sign in to it as themselves
        env.put("FERRY_OIDC_URL", TestIdentity.provider().issuer());
        env.put("FERRY_OIDC_CLIENT_SECRET", TestIdentity.provider().realm().clients().get(0).secret());
        env.put("FERRY_INVENTORY_URL", "http://127.0.0.1:" + ports.get(FerryService.INVENTORY));
        env.put("FERRY_SCHEDULER_URL", "http://127.0.0.1:" + ports.get(FerryService.SCHEDULER));
        Map<FerryService, Supervised> started = new LinkedHashMap<>();
        for (FerryService s : FerryService.values()) {
            Supervised p = containers.get(s.module).start(s.shortName, env, WORK.resolve(s.module + ".log"));
            running.add(p);
            started.put(s, p);
        }
        for (var e : started.entrySet()) {
            int port = management.get(e.getKey());
            e.getValue().awaitReady(() -> FerryService.ready(port), Duration.ofSeconds(120));
            assertThat(uid(e.getValue())).as(e.getKey().module + " runs as the image's user").isEqualTo("185");
        }
    }

    /** The real uid of the process, from /proc. */
    private static String uid(Supervised p) throws Exception {
        return Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
    }
}
