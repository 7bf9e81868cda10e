package dev.ferry.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token refresh against a token endpoint that rotates refresh tokens, as Keycloak and the local provider do: two
 * ferryctl processes that find the same expired token do not send the second one to log in again.
 */
class SessionTest {
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private HttpServer provider;
    /** refresh token -> the access token it gives, each usable once */
    private final Map<String, String> valid = new ConcurrentHashMap<>();
    private final AtomicInteger issued = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        provider = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        provider.createContext("/realms/ferry/protocol/openid-connect/token", x -> {
            String form = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String refresh = form.replaceAll(".*refresh_token=([^&]*).*", "$1");
            String body;
            int status;
            if (valid.remove(refresh) != null) {
                int n = issued.incrementAndGet();
                valid.put("r" + (n + 1), "a" + (n + 1));
                body = "{\"access_token\": \"a" + (n + 1) + "\", \"refresh_token\": \"r" + (n + 1) + "\", \"expires_in\": 300}";
                status = 200;
            } else {
                body = "{\"error\": \"invalid_grant\", \"error_description\": \"the refresh token is unknown or used\"}";
                status = 400;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(status, bytes.length);
            x.getResponseBody().write(bytes);
            x.close();
        });
        provider.start();
    }

    @AfterEach
    void stop() {
        provider.stop(0);
    }

    private Config signedIn(Path file) {
        Config c = Config.load(file);
        c.issuer = "http://127.0.0.1:" + provider.getAddress().getPort() + "/realms/ferry";
        c.user = "operator";
        c.token = "a1";
        c.refreshToken = "r1";
        c.expiresAt = NOW.getEpochSecond() - 1; // expired
        c.save(file);
        valid.put("r1", "a1");
        return c;
    }

    @Test
    void theSecondOfTwoProcessesRefreshingTheSameTokenTakesTheFirstOnesNewPair(@TempDir Path home) {
        Path file = home.resolve("ferryctl.yaml");
        signedIn(file);
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        Session first = new Session(Config.load(file), file, null, clock);
        Session second = new Session(Config.load(file), file, null, clock);

        assertThat(first.token()).isEqualTo("a2");
        assertThat(second.token()).as("r1 is spent; the file holds the pair the first one got").isEqualTo("a2");
        assertThat(issued.get()).isEqualTo(1);
        assertThat(Config.load(file).refreshToken).isEqualTo("r2");
    }

    @Test
    void aRefreshTokenNobodyRenewedSendsThePersonToLogIn(@TempDir Path home) {
        Path file = home.resolve("ferryctl.yaml");
        signedIn(file);
        valid.clear(); // the provider restarted and forgot it
        Session session = new Session(Config.load(file), file, null, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThatThrownBy(session::token).isInstanceOf(Session.NotSignedIn.class)
                .hasMessageContaining("unknown or used").hasMessageEndingWith("ferryctl login");
    }
}
