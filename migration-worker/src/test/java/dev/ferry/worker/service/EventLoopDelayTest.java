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
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
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

        long slowBefore = waitsOver(delay, 0.3);
        // a loop held for 400 ms, as a long computation on it would hold it
        vertx.nettyEventLoopGroup().next().execute(() -> {
            try {
                Thread.sleep(400);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (waitsOver(delay, 0.3) == slowBefore && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        // the probe that waited behind it, and those it kept from going (one due every 20 ms, each waiting 20 ms less):
        // about 400 ms held leaves a handful above the bucket under 300 ms, never as many as the 20 it kept from going
        assertThat(waitsOver(delay, 0.3) - slowBefore).as("waits of about 300 ms or more the held loop caused").isBetween(1L, 10L);
    }

    /** How many waits the histogram holds above the largest bucket at or under {@code seconds}. */
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
