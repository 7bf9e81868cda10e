package dev.ferry.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestIdentity;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The event loops' delay metric (service-support's EventLoopStalls, in every service): an event loop kept busy shows
 * as a delay of about that long. Shares HostProberTest's application.
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(ClaimDesk.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-commands-dlq,host-probes,host-reports,host-probes-dlq")})
class EventLoopDelayTest {
    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @Test
    void anEventLoopKeptBusyShowsAsItsDelay() throws Exception {
        Timer delay = registry.find("ferry_event_loop_delay").timer();
        assertThat(delay).as("the metric is registered at start").isNotNull();
        long before = delay.count();
        Thread.sleep(200);
        assertThat(delay.count()).as("probes keep running").isGreaterThan(before);

        long slowBefore = waitsOver(delay, 0.36);
        // one loop held for 600 ms, as a long computation on it would hold it
        EventExecutor loop = vertx.nettyEventLoopGroup().next();
        loop.execute(() -> {
            try {
                Thread.sleep(600);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(100); // a probe is due every 20 ms: by now one waits behind the held task
        CompletableFuture<Void> behind = new CompletableFuture<>();
        loop.execute(() -> behind.complete(null)); // queued after that probe, so it has run and recorded when this does
        behind.get(5, TimeUnit.SECONDS);
        Thread.sleep(100); // records of other loops' probes in flight settle

        // the probe behind the held task waited about 580 to 600 ms (less if this machine kept the probing thread from
        // running, more if it kept the loop), and each probe it kept from going, due 20 ms apart, 20 ms less: about ten
        // waits over the 358 ms bucket. Counting the stall once would give one, plus one for any other stall as long
        // (the other loop, just after the start)
        assertThat(waitsOver(delay, 0.36) - slowBefore).as("waits over 358 ms that the held loop caused").isBetween(5L, 40L);
    }

    /**
     * How many waits the histogram holds above the largest bucket at or under {@code seconds} (Micrometer's buckets
     * for a timer: 0.358 s for 0.36). Bucket counts are cumulative and do not decay.
     */
    private static long waitsOver(Timer delay, double seconds) {
        HistogramSnapshot snapshot = delay.takeSnapshot();
        double under = 0;
        for (CountAtBucket b : snapshot.histogramCounts()) {
            if (b.bucket(TimeUnit.SECONDS) <= seconds) {
                under = b.count(); // cumulative: every wait up to this bucket
            }
        }
        return snapshot.count() - (long) under;
    }
}
