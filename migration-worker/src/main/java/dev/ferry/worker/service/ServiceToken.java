package dev.ferry.worker.service;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/**
 * The worker's own bearer token (client credentials of quarkus.oidc-client, role worker), fetched when first needed,
 * kept until shortly before it expires, and dropped when the scheduler refuses it. Blocking: the claim client runs on
 * the worker's own threads.
 */
@ApplicationScoped
public class ServiceToken {
    /** A token this close to its expiry is renewed rather than sent: it could lapse on the way. */
    private static final long MARGIN_SECONDS = 10;

    @Inject
    OidcClient client;

    private Tokens current;

    /** The access token, fetched from the identity provider if there is none or it is about to expire. */
    synchronized String bearer(Duration timeout) {
        if (current == null || expiresWithin(current, MARGIN_SECONDS)) {
            current = client.getTokens().await().atMost(timeout);
        }
        return current.getAccessToken();
    }

    /** The scheduler said 401: the next call fetches a new token. */
    synchronized void invalidate() {
        current = null;
    }

    private static boolean expiresWithin(Tokens t, long seconds) {
        Long at = t.getAccessTokenExpiresAt();
        return at != null && at - seconds <= System.currentTimeMillis() / 1000;
    }
}
