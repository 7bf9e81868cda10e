package dev.ferry.ctl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A wait rides out a service that stops answering, until its deadline; a refusal for good ends it at once. */
class OutageTest {
    private final StringWriter err = new StringWriter();
    private final AtomicLong now = new AtomicLong();
    private final List<Duration> slept = new ArrayList<>();
    private final Outage outage = new Outage(new PrintWriter(err), d -> {
        slept.add(d);
        now.addAndGet(d.toNanos());
    }, now::get);

    private static RuntimeException down() {
        return new Api.Unreachable("GET http://scheduler/migrations/1", new java.net.ConnectException("Connection refused"));
    }

    private static RuntimeException status(int status) {
        ObjectNode problem = Api.JSON.createObjectNode().put("title", "x");
        return new Api.Refused("GET http://scheduler/migrations/1", status, problem);
    }

    @Test
    void noAnswerOrA503IsRetriedWithGrowingPausesAndSaidOnce() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        String answer = outage.retry(() -> {
            int n = calls.incrementAndGet();
            if (n <= 6) {
                throw n % 2 == 0 ? status(503) : down();
            }
            return "RUNNING";
        }, Duration.ofMinutes(2).toNanos());

        assertThat(answer).isEqualTo("RUNNING");
        assertThat(slept).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(5));
        assertThat(err.toString().split("retrying until the timeout", -1)).hasSize(2);
        assertThat(err.toString()).contains("Connection refused", "answering again");
    }

    @Test
    void atTheDeadlineTheOutageIsTheAnswer() {
        assertThatThrownBy(() -> outage.retry(() -> {
            throw down();
        }, Duration.ofSeconds(10).toNanos())).isInstanceOf(Api.Unreachable.class);
        assertThat(now.get()).isLessThanOrEqualTo(Duration.ofSeconds(10).toNanos());
        assertThat(slept).isNotEmpty();
    }

    @Test
    void aRefusalForGoodIsNotRetried() {
        assertThatThrownBy(() -> outage.retry(() -> {
            throw status(404);
        }, Duration.ofMinutes(2).toNanos())).isInstanceOf(Api.Refused.class);
        assertThat(slept).isEmpty();
        assertThat(err.toString()).isEmpty();
    }
}
