package dev.ferry.worker.service;

import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The worker's own bearer token (client credentials of quarkus.oidc-client, role worker), fetched when first needed,
 * kept until shortly before it expires, and dropped when the scheduler refuses it. Blocking, bounded by the
 * scheduler timeout: the claim client runs on the worker's own threads.
 */
@ApplicationScoped
public class ServiceToken implements ClaimClient.BearerToken {
    /** A token this close to its expiry is renewed rather than sent: it could lapse on the way. */
    private static final long MARGIN_SECONDS = 10;

    @Inject
    OidcClient client;

    @Inject
    WorkerConfig config;

    private Tokens current;

    /** The access token, fetched from the identity provider if there is none or it is about to expire. */
    @Override
    public synchronized String get() {
        if (current == null || expiresWithin(current, MARGIN_SECONDS)) {
            current = client.getTokens().await().atMost(config.schedulerTimeout());
        }
        return current.getAccessToken();
    }

    /** The scheduler said 401: the next call fetches a new token. */
    @Override
    public synchronized void refused() {
        current = null;
    }

    private static boolean expiresWithin(Tokens t, long seconds) {
        Long at = t.getAccessTokenExpiresAt();
        return at != null && at - seconds <= System.currentTimeMillis() / 1000;
    }
}
