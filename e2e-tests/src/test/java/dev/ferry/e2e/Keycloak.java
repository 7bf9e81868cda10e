package dev.ferry.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.platform.Ports;
import dev.ferry.platform.Supervised;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * A real Keycloak (the Maven Central distribution, org.keycloak:keycloak-quarkus-dist) as a process, in development
 * mode with an in-memory database: unpacked once per machine under ~/.cache/ferry (its first start also builds it,
 * about a minute; later starts take about 15 s), on a free port, with only its bootstrap admin. The test creates
 * the realm, roles, clients and users through the admin REST API, as an operator would.
 */
final class Keycloak implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Supervised process;
    private final String base;
    private final String adminPassword;

    private Keycloak(Supervised process, String base, String adminPassword) {
        this.process = process;
        this.base = base;
        this.adminPassword = adminPassword;
    }

    /** Starts the distribution named by the system property keycloak.dist (the zip Maven resolved). */
    static Keycloak start(Path logs) throws IOException {
        Path zip = Path.of(System.getProperty("keycloak.dist", "missing-keycloak.dist"));
        if (!Files.exists(zip)) {
            throw new IllegalStateException("Keycloak's distribution is missing at " + zip + " (e2e-tests/pom.xml resolves it)");
        }
        Path home = unpacked(zip);
        int port = Ports.free();
        String password = UUID.randomUUID().toString();
        // dev-mem: nothing is kept between runs and two test runs never share a database file
        Supervised p = Supervised.start("keycloak", List.of(home.resolve("bin/kc.sh").toString(), "start-dev",
                        "--db=dev-mem", "--http-port=" + port, "--http-host=127.0.0.1", "--http-management-port=" + Ports.free()),
                Map.of("JAVA_HOME", System.getProperty("java.home"), "KC_BOOTSTRAP_ADMIN_USERNAME", "admin",
                        "KC_BOOTSTRAP_ADMIN_PASSWORD", password,
                        // a test's provider: C1 alone starts it sooner on two cores, as it does the services (Keycloak picks the collector)
                        "JAVA_OPTS_APPEND", "-XX:TieredStopAtLevel=1"),
                logs.resolve("keycloak.log"), false, home.toString());
        Keycloak kc = new Keycloak(p, "http://127.0.0.1:" + port, password);
        try {
            p.awaitReady(() -> kc.answers("/realms/master/.well-known/openid-configuration"), Duration.ofMinutes(4));
        } catch (RuntimeException notReady) {
            kc.close();
            throw notReady;
        }
        return kc;
    }

    /** The realm's issuer URL, as a service's FERRY_OIDC_URL names it. */
    String issuer(String realm) {
        return base + "/realms/" + realm;
    }

    /** Creates a realm from its JSON representation (roles, clients, users in one request), as the admin. */
    void createRealm(Map<String, Object> representation) throws IOException, InterruptedException {
        String admin = token("master", "admin-cli", null, Map.of("grant_type", "password", "username", "admin",
                "password", adminPassword));
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/admin/realms")).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(representation))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("Keycloak refused the realm: " + r.statusCode() + " " + r.body());
        }
    }

    /** A user's access token (password grant through a public client). */
    String userToken(String realm, String client, String user, String password) throws IOException, InterruptedException {
        return token(realm, client, null, Map.of("grant_type", "password", "username", user, "password", password));
    }

    /** A service's access token (client-credentials grant, the secret sent as HTTP Basic). */
    String clientToken(String realm, String client, String secret) throws IOException, InterruptedException {
        return token(realm, client, secret, Map.of("grant_type", "client_credentials"));
    }

    private String token(String realm, String client, String secret, Map<String, String> form)
            throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(issuer(realm) + "/protocol/openid-connect/token"))
                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/x-www-form-urlencoded");
        if (secret == null) {
            body.append("&client_id=").append(client);
        } else {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((client + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = HTTP.send(b.POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode answer = JSON.readTree(r.body());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Keycloak gave no token to " + client + ": " + r.statusCode() + " " + r.body());
        }
        return answer.path("access_token").asText();
    }

    private boolean answers(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notYet) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
    }

    /**
     * The distribution unpacked under ~/.cache/ferry, once per machine and version: into a directory of its own, then
     * renamed, so that a run cut short or a concurrent one never sees half a tree. Executable bits are restored for
     * bin/ (a zip entry does not carry them through java.util.zip).
     */
    private static Path unpacked(Path zip) throws IOException {
        String name = zip.getFileName().toString().replaceAll("\\.zip$", "");
        Path cache = Path.of(System.getProperty("user.home"), ".cache", "ferry");
        Path home = cache.resolve(name);
        if (Files.exists(home.resolve("bin/kc.sh"))) {
            return home;
        }
        Path partial = Files.createDirectories(cache).resolve(name + ".partial-" + ProcessHandle.current().pid());
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                // entries are "keycloak-26.x.y/..." : strip the top directory
                String entry = e.getName().substring(e.getName().indexOf('/') + 1);
                Path target = partial.resolve(entry).normalize();
                if (entry.isEmpty() || !target.startsWith(partial)) {
                    continue;
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    copy(in, target);
                }
            }
        }
        try (var scripts = Files.list(partial.resolve("bin"))) {
            scripts.filter(f -> f.toString().endsWith(".sh")).forEach(f -> f.toFile().setExecutable(true));
        }
        try {
            Files.move(partial, home, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException anotherRunWon) {
            dev.ferry.platform.Trees.delete(partial);
        }
        return home;
    }

    private static void copy(InputStream in, Path target) throws IOException {
        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    }
}
