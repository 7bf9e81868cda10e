package dev.ferry.testsupport;

import dev.ferry.platform.identity.Jwt;
import dev.ferry.platform.identity.LocalIdentity;
import dev.ferry.platform.identity.LocalRealm;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * An OpenID provider for a test JVM: the local one (discovery, JWKS, token endpoint) on a free port, with a freshly
 * generated key and Ferry's demo realm, its clients sharing one secret so that every service under test (each its own
 * client id) can use it. The services run their real OIDC code against it; {@link #token} gives a test a user's token.
 */
public class TestIdentity implements QuarkusTestResourceLifecycleManager {
    /** The test JVM's provider: one for all the services and tests in it. */
    private static LocalIdentity provider;

    public static synchronized LocalIdentity provider() {
        if (provider == null) {
            String secret = "test-" + java.util.UUID.randomUUID();
            LocalRealm demo = LocalRealm.generate();
            LocalRealm realm = new LocalRealm(demo.key(), demo.keyId(), demo.users(),
                    demo.clients().stream().map(c -> new LocalRealm.Client(c.id(), secret, c.roles())).toList());
            provider = LocalIdentity.start(realm, "127.0.0.1", 0, Duration.ofMinutes(30));
        }
        return provider;
    }

    /** A bearer token for one of the realm's users: viewer, operator or admin. */
    public static String token(String user) {
        return provider().tokenFor(user);
    }

    /** The Authorization header's value for a user. */
    public static String bearer(String user) {
        return "Bearer " + token(user);
    }

    /** The roles a token grants, as the services read them. */
    @SuppressWarnings("unchecked")
    public static List<String> roles(String token) {
        Object access = Jwt.claims(token).get("realm_access");
        return access instanceof Map<?, ?> m ? (List<String>) m.get("roles") : List.of();
    }

    /** The name a token carries (preferred_username), as the services record it. */
    public static String name(String token) {
        return String.valueOf(Jwt.claims(token).get("preferred_username"));
    }

    @Override
    public Map<String, String> start() {
        LocalIdentity idp = provider();
        return Map.of("quarkus.oidc.auth-server-url", idp.issuer(),
                "quarkus.oidc-client.credentials.secret", idp.realm().clients().get(0).secret());
    }

    @Override
    public void stop() {
        // the provider serves the whole JVM (Quarkus restarts between test classes with other resources)
    }
}
