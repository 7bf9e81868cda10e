package dev.ferry.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One service's image: which module's jar (Quarkus' aot-jar) goes in, on which Debian base. Everything else (user, entrypoint,
 * working directory) is the same for the three and lives in {@link BuildImages}.
 */
public record ServiceImage(String module, Base base) {

    /** The Debian bases deploy/images/debian-base writes. */
    public enum Base {
        /** OpenJDK 17's headless JRE. */
        JVM,
        /** The same, plus libvirt's client library, which the worker's libvirt driver opens. */
        WORKER
    }

    public static final List<ServiceImage> ALL = List.of(
            new ServiceImage("inventory-service", Base.JVM),
            new ServiceImage("scheduler-service", Base.JVM),
            new ServiceImage("migration-worker", Base.WORKER));

    /** The image's repository name, as the compose file and the manifests name it. */
    public String repository() {
        return "ferry/" + module;
    }

    /** The file under the output directory. */
    public String tarName(String tag) {
        return "ferry-" + module + "-" + tag + ".tar";
    }

    /**
     * The port the service's API listens on by default, read from its application.properties so that the image
     * exposes what the service really opens.
     */
    public int port(Path root) throws IOException {
        return port(root, "quarkus.http.port");
    }

    /** The port its health and metrics answer on (the management interface). */
    public int managementPort(Path root) throws IOException {
        return port(root, "quarkus.management.port");
    }

    private int port(Path root, String property) throws IOException {
        Path properties = root.resolve(module).resolve("src/main/resources/application.properties");
        Pattern line = Pattern.compile("(?m)^" + Pattern.quote(property) + "=\\$\\{[A-Z_]+:(\\d+)}\\s*$");
        Matcher m = line.matcher(Files.readString(properties));
        if (!m.find()) {
            throw new IllegalStateException(properties + " has no " + property + "=${VARIABLE:port} line");
        }
        return Integer.parseInt(m.group(1));
    }
}
