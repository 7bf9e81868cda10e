package dev.ferry.platform.identity;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The authorization-code grant with PKCE (RFC 6749 section 4.1, RFC 7636), for the web console: a code is issued once
 * a person has signed in on the login page, and redeemed once, by the same client, for the same redirect URI, with the
 * verifier whose S256 hash the console sent first. Only the console's public client may ask, and only to be sent back
 * to a loopback address: the local provider serves ./ferry up and the tests, never a network (production runs a real
 * provider, and the console signs in there the same way).
 */
final class AuthorizationCodes {
    /** The console's public client (no secret: PKCE stands in for it). */
    static final String CONSOLE_CLIENT = "ferry-console";
    /** Long enough for the browser's redirect and the console's exchange, short enough to be useless when stolen. */
    static final Duration CODE_LIFETIME = Duration.ofSeconds(60);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What the console asked for, checked before the login page is shown. */
    record Request(String clientId, String redirectUri, String state, String codeChallenge) {
    }

    private record Issued(Request request, String user, Instant expiresAt) {
    }

    private final Map<String, Issued> codes = new ConcurrentHashMap<>();
    private final Clock clock;

    AuthorizationCodes(Clock clock) {
        this.clock = clock;
    }

    /** The request's parameters checked as section 4.1.1 and RFC 7636 ask; IllegalArgumentException with the reason. */
    static Request parse(Map<String, String> params) {
        String type = params.getOrDefault("response_type", "");
        if (!"code".equals(type)) {
            throw new IllegalArgumentException("response_type must be 'code', not '" + type + "'");
        }
        String client = params.getOrDefault("client_id", "");
        if (!CONSOLE_CLIENT.equals(client)) {
            throw new IllegalArgumentException("client '" + client + "' may not use the authorization-code grant here; "
                    + CONSOLE_CLIENT + " may");
        }
        String redirect = params.getOrDefault("redirect_uri", "");
        if (!loopback(redirect)) {
            throw new IllegalArgumentException("redirect_uri must be an http(s) URL on a loopback address, not '" + redirect + "'");
        }
        String method = params.getOrDefault("code_challenge_method", "");
        String challenge = params.getOrDefault("code_challenge", "");
        if (!"S256".equals(method) || !challenge.matches("[A-Za-z0-9_-]{43}")) {
            throw new IllegalArgumentException("PKCE is required: code_challenge_method=S256 and a 43-character code_challenge");
        }
        return new Request(client, redirect, params.getOrDefault("state", ""), challenge);
    }

    /** A one-use code for {@code user}, who has just signed in. */
    String issue(Request request, String user) {
        Instant now = clock.instant();
        codes.values().removeIf(i -> now.isAfter(i.expiresAt()));
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String code = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        codes.put(code, new Issued(request, user, now.plus(CODE_LIFETIME)));
        return code;
    }

    /** The user the code was issued to, if it is known, unused, fresh, this client's, this URI's and the verifier fits. */
    Optional<String> redeem(String code, String clientId, String redirectUri, String verifier) {
        Issued i = codes.remove(code);
        if (i == null || clock.instant().isAfter(i.expiresAt()) || !i.request().clientId().equals(clientId)
                || !i.request().redirectUri().equals(redirectUri) || !i.request().codeChallenge().equals(challenge(verifier))) {
            return Optional.empty();
        }
        return Optional.of(i.user());
    }

    /** RFC 7636 section 4.2: BASE64URL(SHA256(ASCII(verifier))). */
    static String challenge(String verifier) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Only loopback origins may receive a code or read a token answer from a browser (CORS). */
    static boolean loopback(String url) {
        try {
            URI u = URI.create(url);
            String host = u.getHost();
            return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && host != null
                    && (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("[::1]"));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
