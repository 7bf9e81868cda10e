package dev.ferry.platform;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.platform.identity.LocalRealm;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Signing in to the local platform as one of its demo users (viewer, operator, admin): the password grant against
 * ./ferry up's identity provider, the password read from .ferry/identity, as a user would with curl.
 */
public final class LocalLogin {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private LocalLogin() {
    }

    /** A token for the demo user, from the running local identity provider. */
    public static String token(Layout layout, String user) {
        if (!Files.exists(layout.identity().resolve("realm.json"))) {
            throw new LaunchException("no local identity under " + layout.identity() + ": ./ferry up first");
        }
        LocalRealm realm = LocalRealm.loadOrCreate(layout.identity());
        LocalRealm.User u = realm.user(user).orElseThrow(() -> new LaunchException("no demo user '" + user
                + "'; the local identity has " + realm.users().stream().map(LocalRealm.User::name).toList()));
        return password(layout.identityIssuer() + "/protocol/openid-connect/token", u.name(), u.password());
    }

    /** A token for {@code Layout.of(ferry.root)}'s demo user: what the tools use against ./ferry up. */
    public static String token(String user) {
        return token(Layout.of(Path.of(System.getProperty("ferry.root", ".")).toAbsolutePath().normalize(), System.getenv()), user);
    }

    /**
     * A token for one of the local identity's service clients (RFC 6749 section 4.4, client credentials): what a tool
     * that stands in for a service, such as a benchmark's load generator acting as a worker, signs in with.
     */
    public static String clientToken(Layout layout, String clientId) {
        LocalRealm realm = LocalRealm.loadOrCreate(layout.identity());
        LocalRealm.Client c = realm.client(clientId).orElseThrow(() -> new LaunchException("no client '" + clientId
                + "' in the local identity under " + layout.identity()));
        return grant(layout.identityIssuer() + "/protocol/openid-connect/token", clientId, "grant_type=client_credentials&client_id="
                + URLEncoder.encode(clientId, StandardCharsets.UTF_8) + "&client_secret=" + URLEncoder.encode(c.secret(), StandardCharsets.UTF_8));
    }

    /** RFC 6749 section 4.3 (the resource owner password grant). */
    static String password(String tokenEndpoint, String user, String password) {
        return grant(tokenEndpoint, user, "grant_type=password&client_id=ferry-cli&username=" + URLEncoder.encode(user, StandardCharsets.UTF_8)
                + "&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8));
    }

    private static String grant(String tokenEndpoint, String user, String form) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(tokenEndpoint)).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = Http.JSON.readTree(r.body());
            if (r.statusCode() != 200) {
                throw new LaunchException("the identity provider at " + tokenEndpoint + " refused " + user + ": "
                        + body.path("error_description").asText(r.body()));
            }
            return body.path("access_token").asText();
        } catch (IOException e) {
            throw new LaunchException("the identity provider does not answer at " + tokenEndpoint + " (" + e.getMessage()
                    + "): is Ferry up? ./ferry status", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while signing in");
        }
    }
}
