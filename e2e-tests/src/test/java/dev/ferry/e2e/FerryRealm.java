package dev.ferry.e2e;

import dev.ferry.platform.FerryService;
import dev.ferry.support.security.Roles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Ferry's realm in a real Keycloak, created through its admin API as an operator would set it up: the realm roles, a
 * public client for people, a confidential client per calling service with its service account's roles, and a user
 * per role; every password and secret random for the run.
 */
final class FerryRealm implements AutoCloseable {
    static final String REALM = "ferry";
    final Keycloak keycloak;
    private final Map<String, String> passwords = new HashMap<>();
    private final Map<String, String> secrets = new HashMap<>();

    private FerryRealm(Keycloak keycloak) {
        this.keycloak = keycloak;
    }

    static FerryRealm start(Path logs) throws Exception {
        FerryRealm realm = new FerryRealm(Keycloak.start(logs));
        try {
            for (String user : List.of(Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN)) {
                realm.passwords.put(user, UUID.randomUUID().toString());
            }
            realm.secrets.put("scheduler-service", UUID.randomUUID().toString());
            realm.secrets.put("migration-worker", UUID.randomUUID().toString());
            realm.keycloak.createRealm(realm.representation());
            return realm;
        } catch (Exception | Error e) {
            realm.close();
            throw e;
        }
    }

    String issuer() {
        return keycloak.issuer(REALM);
    }

    /** What the platform needs to use this realm: the issuer for all, each caller's own client secret. */
    Map<String, String> settings() {
        return Map.of("FERRY_OIDC_URL", issuer());
    }

    Map<FerryService, Map<String, String>> clientSecrets() {
        return Map.of(FerryService.SCHEDULER, Map.of("FERRY_OIDC_CLIENT_SECRET", secrets.get("scheduler-service")),
                FerryService.WORKER, Map.of("FERRY_OIDC_CLIENT_SECRET", secrets.get("migration-worker")));
    }

    /** What a person types to sign in as this user (ferryctl login). */
    String password(String name) {
        return passwords.get(name);
    }

    /** A user's access token from Keycloak (password grant through the public client). */
    String user(String name) throws Exception {
        return keycloak.userToken(REALM, "ferry-cli", name, passwords.get(name));
    }

    /** A service's access token from Keycloak (client-credentials grant). */
    String client(String id) throws Exception {
        return keycloak.clientToken(REALM, id, secrets.get(id));
    }

    private Map<String, Object> representation() {
        List<Map<String, Object>> users = new ArrayList<>();
        passwords.forEach((name, password) -> users.add(Map.of("username", name, "enabled", true, "email", name + "@ferry.test",
                "emailVerified", true, "firstName", name, "lastName", "Ferry",
                "credentials", List.of(Map.of("type", "password", "value", password, "temporary", false)),
                "realmRoles", List.of(name))));
        users.add(Map.of("username", "service-account-scheduler-service", "enabled", true, "serviceAccountClientId", "scheduler-service",
                "realmRoles", List.of(Roles.VIEWER, Roles.SCHEDULER)));
        users.add(Map.of("username", "service-account-migration-worker", "enabled", true, "serviceAccountClientId", "migration-worker",
                "realmRoles", List.of(Roles.WORKER)));
        Map<String, Object> realm = new LinkedHashMap<>();
        realm.put("realm", REALM);
        realm.put("enabled", true);
        // half an hour: a test class's tokens outlive it (Keycloak's default is five minutes)
        realm.put("accessTokenLifespan", 1800);
        realm.put("roles", Map.of("realm", List.of(Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER).stream()
                .map(r -> Map.of("name", r)).toList()));
        realm.put("clients", List.of(
                Map.of("clientId", "ferry-cli", "publicClient", true, "directAccessGrantsEnabled", true, "standardFlowEnabled", false),
                console(), service("scheduler-service"), service("migration-worker")));
        realm.put("users", users);
        return realm;
    }

    /**
     * The web console's public client: the authorization-code grant with PKCE only, back to the console. The test's
     * scheduler listens on a random loopback port, hence the wildcard; a deployment names its console's URL (DEPLOY.md).
     */
    private static Map<String, Object> console() {
        return Map.of("clientId", "ferry-console", "publicClient", true, "standardFlowEnabled", true,
                "directAccessGrantsEnabled", false, "redirectUris", List.of("http://127.0.0.1:*"), "webOrigins", List.of("*"),
                "attributes", Map.of("pkce.code.challenge.method", "S256", "post.logout.redirect.uris", "+"));
    }

    private Map<String, Object> service(String id) {
        return Map.of("clientId", id, "publicClient", false, "secret", secrets.get(id), "serviceAccountsEnabled", true,
                "standardFlowEnabled", false, "directAccessGrantsEnabled", false);
    }

    @Override
    public void close() {
        keycloak.close();
    }
}
