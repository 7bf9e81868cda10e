package dev.ferry.ctl;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * migrate --wait over real HTTP while the scheduler answers 503 for a while (a replica restarting behind its
 * Service): the wait prints every round and the outcome, not "unavailable".
 */
class WaitThroughOutageTest {
    private HttpServer scheduler;

    @AfterEach
    void stop() {
        scheduler.stop(0);
    }

    @Test
    void aSchedulerThatStopsAnsweringForAWhileIsWaitedOut() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        scheduler = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        scheduler.createContext("/migrations/m-1", x -> {
            int n = calls.incrementAndGet();
            String body = n == 1 ? view("RUNNING", round(1, 1))
                    : n <= 4 ? "{\"title\": \"Service Unavailable\", \"status\": 503}"
                    : view("SUCCEEDED", round(1, 1) + ", " + round(2, 2));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(n > 1 && n <= 4 ? 503 : 200, bytes.length);
            x.getResponseBody().write(bytes);
            x.close();
        });
        scheduler.start();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Api api = new Api("http://127.0.0.1:1", "http://127.0.0.1:" + scheduler.getAddress().getPort(), () -> "t");

        int status = new MigrationWatch(api, new PrintWriter(out), new PrintWriter(err), false).follow("m-1", Duration.ofSeconds(60));

        assertThat(status).isEqualTo(ExitCodes.OK);
        assertThat(out.toString()).contains("round  1", "round  2", "SUCCEEDED after 2 rounds");
        assertThat(err.toString()).contains("503", "retrying until the timeout", "answering again");
        assertThat(calls.get()).isEqualTo(5);
    }

    private static String round(long position, int round) {
        return "{\"position\": " + position + ", \"round\": " + round + ", \"bytesSent\": 1073741824, \"pagesDirtied\": 10, "
                + "\"remainingBytes\": 0, \"expectedDowntimeMillis\": 5, \"decision\": \"CONTINUE\", \"stopAndCopy\": false}";
    }

    private static String view(String phase, String rounds) {
        return "{\"id\": \"m-1\", \"phase\": \"" + phase + "\", \"memoryBytes\": 1073741824, \"currentRound\": 2, "
                + "\"downtimeMillis\": 5, \"totalTimeMillis\": 2000, \"bytesSent\": 2147483648, \"driver\": \"simulated\", "
                + "\"rounds\": [" + rounds + "]}";
    }
}
