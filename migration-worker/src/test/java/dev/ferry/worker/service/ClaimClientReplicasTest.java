package dev.ferry.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A renewal may wait as long as the claims hold, but not all of it on one replica: a scheduler replica that accepts the
 * connection and never answers (stopped, its event loop blocked) must leave time to ask the next one.
 */
class ClaimClientReplicasTest {
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer hung;
    private HttpServer live;

    @AfterEach
    void stop() {
        release.countDown();
        hung.stop(0);
        live.stop(0);
    }

    @Test
    void aReplicaThatNeverAnswersGetsTheCallsTimeoutAndTheNextAnswersTheRenewal() throws Exception {
        hung = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hung.createContext("/", x -> {
            try {
                release.await(); // accepts, reads nothing, answers never (until the test ends)
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            x.close();
        });
        hung.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        hung.start();
        live = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        live.createContext("/claims/renewals", x -> {
            byte[] body = "{\"leaseMillis\": 15000, \"renewEveryMillis\": 5000, \"renewed\": [], \"refused\": []}"
                    .getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        live.start();
        ClaimClient client = new ClaimClient("http://127.0.0.1:" + hung.getAddress().getPort() + ",http://127.0.0.1:"
                + live.getAddress().getPort(), Duration.ofMillis(500), new ClaimClient.BearerToken() {
                    @Override
                    public String get() {
                        return "token";
                    }

                    @Override
                    public void refused() {
                    }
                });

        long asked = System.nanoTime();
        ClaimClient.Renewal r = client.renewAll("worker-1", List.of(MigrationPlanTest.start(null, false, null)), Duration.ofSeconds(8));
        Duration took = Duration.ofNanos(System.nanoTime() - asked);

        assertThat(r.grant().leaseMillis()).isEqualTo(15_000);
        // the hung replica held the call for its 0.5 s, not for the renewal's 8 s
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(500)).isLessThan(Duration.ofSeconds(4));
    }
}
