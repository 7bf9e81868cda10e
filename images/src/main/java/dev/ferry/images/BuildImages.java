package dev.ferry.images;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Port;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Builds the three services' OCI images into tar files with Jib: the Debian base from deploy/images/debian-base
 * (a local tar: no registry, no Docker daemon), then the Quarkus aot-jar (the pom's quarkus.package.jar.type) in three layers, least to most often
 * changed, so that a code change ships only the last ones.
 *
 * <pre>BuildImages ROOT BASE_CACHE OUT_DIR TAG</pre>
 */
public final class BuildImages {

    static final String HOME = "/deployments";
    static final String USER = "185";
    static final List<String> ENTRYPOINT = List.of("java", "-jar", HOME + "/quarkus-run.jar");
    /**
     * The JVM reads JAVA_TOOL_OPTIONS by itself, so no shell wrapper passes heap flags. 45 % of the container's
     * memory, not 75 %: measured under load (docs/benchmarks/footprint.md and docs/DEPLOY.md, three runs) each service
     * holds 130-275 MiB outside the heap and at most 40 MiB of live heap. No collector is named: under a pod's limits
     * (1 CPU, under 1,792 MiB) the JVM picks the serial one by itself. The native heap is trimmed every second: glibc
     * keeps native memory the JVM freed, 16 to 24 MiB of a service on this machine, which a memory limit counts
     * (docs/benchmarks/README.md, "Memory glibc keeps"). A product option in Java 17 updates released after January 2024; ServiceImagesIT runs the
     * base's java with these options, and starts each service from its image.
     */
    static final String JAVA_TOOL_OPTIONS = "-XX:MaxRAMPercentage=45.0 -XX:TrimNativeHeapInterval=1000 "
            + "-Djava.util.logging.manager=org.jboss.logmanager.LogManager";

    private BuildImages() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: BuildImages ROOT BASE_CACHE OUT_DIR TAG");
        }
        Path root = Path.of(args[0]);
        Path out = Path.of(args[2]);
        String tag = args[3];
        Map<ServiceImage.Base, Path> bases = debianBases(root, Path.of(args[1]));
        Files.createDirectories(out);
        for (ServiceImage image : ServiceImage.ALL) {
            long start = System.nanoTime();
            Path tar = out.resolve(image.tarName(tag));
            JibContainer built = build(root, image, bases.get(image.base()), tar, tag, Path.of(args[1]).resolve("jib"));
            System.out.printf("images: %s:%s -> %s (%d MiB, %s, %.1f s)%n", image.repository(), tag, tar,
                    Files.size(tar) >> 20, built.getDigest(), (System.nanoTime() - start) / 1e9);
        }
    }

    static JibContainer build(Path root, ServiceImage image, Path base, Path tar, String tag, Path cache) throws Exception {
        Path app = root.resolve(image.module()).resolve("target/quarkus-app");
        if (!Files.isRegularFile(app.resolve("quarkus-run.jar"))) {
            throw new IllegalStateException(app + " has no quarkus-run.jar: package " + image.module() + " first");
        }
        AbsoluteUnixPath home = AbsoluteUnixPath.get(HOME);
        return Jib.from(TarImage.at(base))
                // dependencies (lib/boot, lib/main) change least, the generated launcher next, the application most
                .addLayer(List.of(app.resolve("lib")), home)
                .addLayer(List.of(app.resolve("quarkus-run.jar"), app.resolve("quarkus")), home)
                .addLayer(List.of(app.resolve("app")), home)
                .setEntrypoint(ENTRYPOINT)
                .setUser(USER)
                .setWorkingDirectory(home)
                .addEnvironmentVariable("JAVA_TOOL_OPTIONS", JAVA_TOOL_OPTIONS)
                .setExposedPorts(Port.tcp(image.port(root)), Port.tcp(image.managementPort(root)))
                .addLabel("org.opencontainers.image.title", image.module())
                .addLabel("org.opencontainers.image.version", tag)
                .addLabel("org.opencontainers.image.base.name", "debian:bookworm (deploy/images/debian-base, "
                        + base.getFileName() + ")")
                .setFormat(ImageFormat.OCI)
                .containerize(Containerizer.to(TarImage.at(tar).named(image.repository() + ":" + tag))
                        .setBaseImageLayersCache(cache.resolve("base"))
                        .setApplicationLayersCache(cache.resolve("application"))
                        .setOfflineMode(true)
                        .setToolName("ferry-images")
                        .addEventHandler(LogEvent.class, BuildImages::log));
    }

    /** Runs deploy/images/debian-base (which reuses its tars until the script changes) and reads the paths it prints. */
    static Map<ServiceImage.Base, Path> debianBases(Path root, Path cache) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", root.resolve("deploy/images/debian-base").toString(), cache.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        int exit = p.waitFor();
        if (exit != 0 || printed.size() != 2) {
            throw new IllegalStateException("deploy/images/debian-base failed (exit " + exit + "): " + printed);
        }
        return Map.of(ServiceImage.Base.JVM, Path.of(printed.get(0)), ServiceImage.Base.WORKER, Path.of(printed.get(1)));
    }

    private static void log(LogEvent event) {
        if (event.getLevel() == LogEvent.Level.ERROR || event.getLevel() == LogEvent.Level.WARN
                || event.getLevel() == LogEvent.Level.LIFECYCLE) {
            System.out.println("images: " + event.getMessage());
        }
    }
}
