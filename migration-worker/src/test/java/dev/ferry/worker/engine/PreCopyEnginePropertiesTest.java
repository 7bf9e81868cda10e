package dev.ferry.worker.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.worker.sim.GuestWorkload;
import dev.ferry.worker.sim.SimulatedGuest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

class PreCopyEnginePropertiesTest {
    static final double LINK = 16.0 * 1024 * 1024;

    @Provide
    Arbitrary<GuestWorkload> workloads() {
        return Arbitraries.oneOf(
                Arbitraries.just(GuestWorkload.idle()),
                Arbitraries.doubles().between(0.01, 1.0).flatMap(region -> Arbitraries.doubles().between(10, 10_000)
                        .map(rate -> GuestWorkload.uniform(region, rate))),
                Arbitraries.doubles().between(0.01, 0.2).flatMap(hot -> Arbitraries.doubles().between(10, 10_000)
                        .map(rate -> GuestWorkload.hotSet(hot, 0.3, rate))));
    }

    @Provide
    Arbitrary<ConvergencePolicy> policies() {
        return Arbitraries.of(new QemuDefaultPolicy(), new XenPolicy());
    }

    @Property(tries = 60)
    void noPageIsLostAndAtLeastTheMemoryIsSent(@ForAll("workloads") GuestWorkload workload,
            @ForAll("policies") ConvergencePolicy policy, @ForAll @IntRange(min = 256, max = 4096) int pages,
            @ForAll @DoubleRange(min = 0, max = 0.6) double zeroShare, @ForAll long seed) {
        var guest = new SimulatedGuest(pages, zeroShare, workload, seed);
        long nonZeroAtStart = java.util.stream.IntStream.range(0, pages).filter(p -> !guest.isZeroPage(p)).count();

        var result = new PreCopyEngine(guest, policy, LINK, 300).run(() -> false);

        assertThat(result.outcome()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(guest.destinationMatchesSource()).as("destination memory equals source memory").isTrue();
        assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_DESTINATION);
        assertThat(result.bytesSent()).isGreaterThanOrEqualTo(nonZeroAtStart * PreCopyEngine.PAGE_SIZE);
    }

    @Property(tries = 60)
    void cancelAtAnyRoundLeavesTheSourceRunning(@ForAll("workloads") GuestWorkload workload,
            @ForAll @IntRange(min = 0, max = 8) int cancelAfter, @ForAll long seed) {
        var guest = new SimulatedGuest(1024, 0.1, workload, seed);
        int[] checks = {0};

        var result = new PreCopyEngine(guest, new QemuDefaultPolicy(), LINK, 300).run(() -> checks[0]++ >= cancelAfter);

        if (result.outcome() == MigrationResult.Outcome.CANCELLED) {
            assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
        } else {
            // it finished before the cancel came: then it must have finished whole
            assertThat(guest.destinationMatchesSource()).isTrue();
        }
    }
}
