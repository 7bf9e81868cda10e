package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The signed-in user's bearer token: {@code $FERRY_TOKEN} when set (a script's own), else the one {@code ferryctl login}
 * stored, refreshed with its refresh token shortly before it expires (OAuth 2.0 refresh grant), the new pair saved.
 */
final class Session {
    /** Refreshed this long before it expires, so that a call does not carry a token that lapses on the way. */
    private static final Duration EARLY = Duration.ofSeconds(30);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** No usable token: never signed in, or expired without a way to refresh. */
    static final class NotSignedIn extends RuntimeException {
        NotSignedIn(String message) {
            super(message);
        }
    }

    private final Config config;
    private final Path file;
    private final String envToken;
    private final Clock clock;

    Session(Config config, Path file, String envToken, Clock clock) {
        this.config = config;
        this.file = file;
        this.envToken = envToken;
        this.clock = clock;
    }

    String token() {
        if (envToken != null && !envToken.isBlank()) {
            return envToken;
        }
        if (config.token == null) {
            throw new NotSignedIn("not signed in: ferryctl login (or set FERRY_TOKEN)");
        }
        if (expiring()) {
            if (config.refreshToken == null) {
                throw new NotSignedIn("the token of " + config.user + " has expired: ferryctl login");
            }
            refresh();
        }
        return config.token;
    }

    /** RFC 6749 section 4.3: the user's name and password for a token pair, stored in the config file. */
    void login(String user, String password) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", config.clientId);
        form.put("username", user);
        form.put("password", password);
        store(user, exchange(form, "sign in as " + user));
    }

    private void refresh() {
        try {
            refreshWith(config.refreshToken);
        } catch (NotSignedIn refused) {
            // Another ferryctl of this user may have refreshed the same token a moment ago: providers rotate refresh
            // tokens, so ours is spent, and the new pair is in the file. Take it (and refresh once more if it, too, is
            // about to expire) rather than send the person to log in again.
            Config saved = Config.load(file);
            if (saved.refreshToken == null || saved.refreshToken.equals(config.refreshToken) || !Objects.equals(saved.user, config.user)) {
                throw new NotSignedIn(refused.getMessage() + ": ferryctl login");
            }
            config.token = saved.token;
            config.refreshToken = saved.refreshToken;
            config.expiresAt = saved.expiresAt;
            if (expiring()) {
                try {
                    refreshWith(config.refreshToken);
                } catch (NotSignedIn again) {
                    throw new NotSignedIn(again.getMessage() + ": ferryctl login");
                }
            }
        }
    }

    private boolean expiring() {
        return config.expiresAt != null && clock.instant().getEpochSecond() >= config.expiresAt - EARLY.toSeconds();
    }

    private void refreshWith(String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("client_id", config.clientId);
        form.put("refresh_token", refreshToken);
        store(config.user, exchange(form, "refresh the token of " + config.user));
    }

    private void store(String user, JsonNode tokens) {
        config.user = user;
        config.token = tokens.path("access_token").asText();
        config.refreshToken = tokens.hasNonNull("refresh_token") ? tokens.get("refresh_token").asText() : null;
        config.expiresAt = tokens.has("expires_in") ? clock.instant().getEpochSecond() + tokens.get("expires_in").asLong() : null;
        config.save(file);
    }

    private JsonNode exchange(Map<String, String> form, String what) {
        String endpoint = config.issuer + "/protocol/openid-connect/token";
        String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(endpoint)).timeout(Duration.ofSeconds(15))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = Api.JSON.readTree(r.body().isBlank() ? "{}" : r.body());
            if (r.statusCode() != 200) {
                throw new NotSignedIn("the identity provider refused to " + what + ": "
                        + json.path("error_description").asText(json.path("error").asText("status " + r.statusCode())));
            }
            return json;
        } catch (IOException e) {
            throw new Api.Unreachable("POST " + endpoint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Api.Unreachable("POST " + endpoint, e);
        }
    }
}
