package dev.ferry.platform.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * A small OpenID provider for ./ferry up and the tests, so that the services run the same OIDC code everywhere:
 * discovery, the JWKS, a token endpoint with the password grant (people at a terminal), the refresh grant, the
 * client-credentials grant (services) and the authorization-code grant with PKCE (people in the web console, through
 * a login page), shaped like Keycloak's (issuer {@code <base>/realms/ferry}, roles in {@code realm_access.roles}).
 * It has no revocation and no sessions: production uses a real provider (docs/DEPLOY.md), and the end-to-end tests
 * prove the services and the console against Keycloak itself.
 */
public final class LocalIdentity implements AutoCloseable {
    public static final String REALM_PATH = "/realms/ferry";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
    /** As long as a working day: a CLI signed in in the morning refreshes its short access tokens until evening. */
    static final Duration REFRESH_LIFETIME = Duration.ofHours(10);

    /** Who a refresh token was issued to, for which client, until when. */
    private record Refresh(String user, String clientId, Instant expiresAt) {
    }

    private final Map<String, Refresh> refreshTokens = new java.util.concurrent.ConcurrentHashMap<>();
    private final AuthorizationCodes codes = new AuthorizationCodes(java.time.Clock.systemUTC());
    private final LocalRealm realm;
    private final Duration lifetime;
    private final HttpServer server;
    private final String issuer;

    private LocalIdentity(LocalRealm realm, Duration lifetime, HttpServer server, String issuer) {
        this.realm = realm;
        this.lifetime = lifetime;
        this.server = server;
        this.issuer = issuer;
    }

    /** Serves the realm on {@code host:port} (0: any free port) until closed. */
    public static LocalIdentity start(LocalRealm realm, String host, int port, Duration tokenLifetime) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 64);
            String issuer = "http://" + host + ":" + server.getAddress().getPort() + REALM_PATH;
            LocalIdentity idp = new LocalIdentity(realm, tokenLifetime, server, issuer);
            server.createContext(REALM_PATH, idp::handle);
            server.setExecutor(Executors.newFixedThreadPool(4, r -> {
                Thread t = new Thread(r, "local-identity");
                t.setDaemon(true);
                return t;
            }));
            server.start();
            return idp;
        } catch (IOException e) {
            throw new IllegalStateException("the local identity provider could not listen on " + host + ":" + port + ": "
                    + e.getMessage(), e);
        }
    }

    /** The issuer URL: what a service's quarkus.oidc.auth-server-url names. */
    public String issuer() {
        return issuer;
    }

    public String tokenEndpoint() {
        return issuer + "/protocol/openid-connect/token";
    }

    public String authorizationEndpoint() {
        return issuer + "/protocol/openid-connect/auth";
    }

    public LocalRealm realm() {
        return realm;
    }

    /** A token for a user of the realm, as the password grant would give it. */
    public String tokenFor(String user) {
        return sign(realm.user(user).orElseThrow(() -> new IllegalArgumentException("no user " + user + " in the realm")),
                "ferry-cli");
    }

    /** A token for a client of the realm, as the client-credentials grant would give it. */
    public String tokenForClient(String clientId) {
        return sign(realm.client(clientId).orElseThrow(() -> new IllegalArgumentException("no client " + clientId)));
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getPath().substring(REALM_PATH.length());
            switch (x.getRequestMethod() + " " + path) {
                case "GET /.well-known/openid-configuration" -> reply(x, 200, discovery());
                case "GET /protocol/openid-connect/certs" -> reply(x, 200,
                        Map.of("keys", List.of(Jwt.jwk((RSAPublicKey) realm.key().getPublic(), realm.keyId()))));
                case "POST /protocol/openid-connect/token" -> token(x);
                case "OPTIONS /protocol/openid-connect/token" -> preflight(x);
                case "GET /protocol/openid-connect/auth" -> authorize(x, query(x), false);
                case "POST /protocol/openid-connect/auth" -> authorize(x,
                        form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)), true);
                default -> reply(x, 404, Map.of("error", "not_found", "error_description", "no such endpoint: " + path));
            }
        } catch (RuntimeException e) {
            reply(x, 500, Map.of("error", "server_error", "error_description", String.valueOf(e.getMessage())));
        }
    }

    private Map<String, Object> discovery() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("issuer", issuer);
        d.put("jwks_uri", issuer + "/protocol/openid-connect/certs");
        d.put("token_endpoint", tokenEndpoint());
        d.put("authorization_endpoint", authorizationEndpoint());
        d.put("grant_types_supported", List.of("authorization_code", "password", "refresh_token", "client_credentials"));
        d.put("code_challenge_methods_supported", List.of("S256"));
        d.put("token_endpoint_auth_methods_supported", List.of("client_secret_basic", "client_secret_post"));
        d.put("id_token_signing_alg_values_supported", List.of("RS256"));
        d.put("subject_types_supported", List.of("public"));
        d.put("response_types_supported", List.of("code"));
        return d;
    }

    /**
     * The login page of the authorization-code grant (RFC 6749 section 4.1.1): shown on GET, checked on POST, which
     * sends the browser back to the console with a code. A request that cannot be trusted with a redirect (unknown
     * client, foreign redirect URI, no PKCE) gets a page saying why instead.
     */
    private void authorize(HttpExchange x, Map<String, String> params, boolean signingIn) throws IOException {
        AuthorizationCodes.Request request;
        try {
            request = AuthorizationCodes.parse(params);
        } catch (IllegalArgumentException e) {
            html(x, 400, LoginPage.refused(e.getMessage()));
            return;
        }
        if (!signingIn) {
            html(x, 200, LoginPage.html(request, null));
            return;
        }
        var user = realm.user(params.getOrDefault("username", ""));
        if (user.isEmpty() || !same(user.get().password(), params.getOrDefault("password", ""))) {
            html(x, 401, LoginPage.html(request, "Unknown user or wrong password."));
            return;
        }
        String code = codes.issue(request, user.get().name());
        x.getResponseHeaders().set("Location", request.redirectUri() + (request.redirectUri().contains("?") ? "&" : "?")
                + "code=" + encode(code) + "&state=" + encode(request.state()));
        x.getResponseHeaders().set("Connection", "close");
        x.sendResponseHeaders(302, -1);
    }

    /** The console reads token answers from another origin: CORS for loopback origins only (the console's). */
    private static void allowOrigin(HttpExchange x) {
        String origin = x.getRequestHeaders().getFirst("Origin");
        if (origin != null && AuthorizationCodes.loopback(origin)) {
            x.getResponseHeaders().set("Access-Control-Allow-Origin", origin);
            x.getResponseHeaders().set("Vary", "Origin");
        }
    }

    private static void preflight(HttpExchange x) throws IOException {
        allowOrigin(x);
        x.getResponseHeaders().set("Access-Control-Allow-Methods", "POST");
        x.getResponseHeaders().set("Access-Control-Allow-Headers", "Content-Type");
        x.getResponseHeaders().set("Connection", "close");
        x.sendResponseHeaders(204, -1);
    }

    /** RFC 6749 sections 4.1.3, 4.3 and 4.4 and 6; errors as section 5.2 names them. */
    private void token(HttpExchange x) throws IOException {
        allowOrigin(x);
        Map<String, String> form = form(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        basicAuth(x).forEach(form::putIfAbsent);
        String grant = form.getOrDefault("grant_type", "");
        switch (grant) {
            case "authorization_code" -> {
                String clientId = form.getOrDefault("client_id", "");
                var user = codes.redeem(form.getOrDefault("code", ""), clientId, form.getOrDefault("redirect_uri", ""),
                        form.getOrDefault("code_verifier", "")).flatMap(realm::user);
                if (user.isEmpty()) {
                    reply(x, 400, error("invalid_grant",
                            "the code is unknown, used, expired, not this client's or this redirect URI's, or the verifier does not fit"));
                    return;
                }
                reply(x, 200, tokenResponse(sign(user.get(), clientId), refresh(user.get().name(), clientId)));
            }
            case "password" -> {
                var user = realm.user(form.getOrDefault("username", ""));
                if (user.isEmpty() || !same(user.get().password(), form.getOrDefault("password", ""))) {
                    reply(x, 401, error("invalid_grant", "unknown user or wrong password"));
                    return;
                }
                String clientId = form.getOrDefault("client_id", "ferry-cli");
                reply(x, 200, tokenResponse(sign(user.get(), clientId), refresh(user.get().name(), clientId)));
            }
            case "refresh_token" -> {
                // one use each (rotated), bound to the client it was issued to, valid for REFRESH_LIFETIME
                Refresh r = refreshTokens.remove(form.getOrDefault("refresh_token", ""));
                var user = r == null ? java.util.Optional.<LocalRealm.User>empty() : realm.user(r.user());
                if (r == null || Instant.now().isAfter(r.expiresAt()) || !r.clientId().equals(form.getOrDefault("client_id", ""))
                        || user.isEmpty()) {
                    reply(x, 400, error("invalid_grant", "the refresh token is unknown, used, expired or not this client's"));
                    return;
                }
                reply(x, 200, tokenResponse(sign(user.get(), r.clientId()), refresh(r.user(), r.clientId())));
            }
            case "client_credentials" -> {
                var client = realm.client(form.getOrDefault("client_id", ""));
                if (client.isEmpty() || !same(client.get().secret(), form.getOrDefault("client_secret", ""))) {
                    reply(x, 401, error("invalid_client", "unknown client or wrong secret"));
                    return;
                }
                reply(x, 200, tokenResponse(sign(client.get())));
            }
            default -> reply(x, 400, error("unsupported_grant_type",
                    "grant_type must be authorization_code, password, refresh_token or client_credentials, not '" + grant + "'"));
        }
    }

    private Map<String, Object> tokenResponse(String token) {
        return Map.of("access_token", token, "token_type", "Bearer", "expires_in", lifetime.toSeconds());
    }

    private Map<String, Object> tokenResponse(String token, String refreshToken) {
        Map<String, Object> r = new LinkedHashMap<>(tokenResponse(token));
        r.put("refresh_token", refreshToken);
        r.put("refresh_expires_in", REFRESH_LIFETIME.toSeconds());
        return r;
    }

    /** A random refresh token, remembered in memory: a restarted provider forgets them, and users sign in again. */
    private String refresh(String user, String clientId) {
        Instant now = Instant.now();
        refreshTokens.values().removeIf(r -> now.isAfter(r.expiresAt()));
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        refreshTokens.put(token, new Refresh(user, clientId, now.plus(REFRESH_LIFETIME)));
        return token;
    }

    private String sign(LocalRealm.User user, String clientId) {
        return sign("user:" + user.name(), user.name(), clientId, user.roles());
    }

    private String sign(LocalRealm.Client client) {
        return sign("client:" + client.id(), "service-account-" + client.id(), client.id(), client.roles());
    }

    private String sign(String subjectSeed, String name, String clientId, List<String> roles) {
        Instant now = Instant.now();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", UUID.nameUUIDFromBytes(subjectSeed.getBytes(StandardCharsets.UTF_8)).toString());
        claims.put("aud", "ferry");
        claims.put("azp", clientId);
        claims.put("typ", "Bearer");
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        claims.put("preferred_username", name);
        claims.put("realm_access", Map.of("roles", roles));
        return Jwt.sign(claims, realm.key().getPrivate(), realm.keyId());
    }

    private static Map<String, String> basicAuth(HttpExchange x) {
        String h = x.getRequestHeaders().getFirst("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Map.of();
        }
        String pair = new String(Base64.getDecoder().decode(h.substring(6).trim()), StandardCharsets.UTF_8);
        int colon = pair.indexOf(':');
        return colon < 0 ? Map.of() : Map.of("client_id", decode(pair.substring(0, colon)), "client_secret",
                decode(pair.substring(colon + 1)));
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return form;
    }

    private static Map<String, String> query(HttpExchange x) {
        String q = x.getRequestURI().getRawQuery();
        return q == null ? new HashMap<>() : form(q);
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static void html(HttpExchange x, int status, String page) throws IOException {
        byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        // the login page is never framed by another page (clickjacking)
        x.getResponseHeaders().set("X-Frame-Options", "DENY");
        x.getResponseHeaders().set("Connection", "close");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** Constant-time, so that a wrong secret's timing says nothing about the right one. */
    private static boolean same(String expected, String given) {
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static Map<String, Object> error(String code, String description) {
        return Map.of("error", code, "error_description", description);
    }

    private static void reply(HttpExchange x, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        x.getResponseHeaders().set("Content-Type", "application/json");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        // no kept-alive connections: the JDK server closes an idle one after 30 s, and a client that reuses it at
        // that moment sees "connection closed" instead of a token. Sign-ins are rare; a fresh connection each is cheap.
        x.getResponseHeaders().set("Connection", "close");
        x.sendResponseHeaders(status, bytes.length);
        x.getResponseBody().write(bytes);
    }

    /** java -cp ... LocalIdentity DIR PORT [HOST]: serves the realm stored in DIR (generated there if missing). */
    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2) {
            System.err.println("usage: LocalIdentity DIR PORT [HOST]");
            System.exit(2);
        }
        LocalIdentity idp = start(LocalRealm.loadOrCreate(Path.of(args[0])), args.length > 2 ? args[2] : "127.0.0.1",
                Integer.parseInt(args[1]), Duration.ofHours(1));
        System.out.println("local identity provider ready: issuer " + idp.issuer());
        Runtime.getRuntime().addShutdownHook(new Thread(idp::close));
        Thread.currentThread().join();
    }
}
