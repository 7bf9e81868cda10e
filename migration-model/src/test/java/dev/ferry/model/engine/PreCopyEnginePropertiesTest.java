package dev.ferry.model.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.sim.GuestWorkload;
import dev.ferry.model.sim.SimulatedGuest;
import dev.ferry.model.sim.WorkloadSuite;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;

/** The engine's promises, for every policy, workload, size, limits and moment of cancel or force-complete. */
class PreCopyEnginePropertiesTest {
    static final double LINK = 16.0 * 1024 * 1024;
    static final double LINK_PAGES = LINK / PreCopyEngine.PAGE_SIZE;

    @Provide
    Arbitrary<GuestWorkload> workloads() {
        return Arbitraries.oneOf(
                Arbitraries.of(WorkloadSuite.all()).flatMap(spec -> Arbitraries.longs().map(seed -> spec.create(LINK_PAGES, seed))),
                Arbitraries.doubles().between(0.01, 1.0).flatMap(region -> Arbitraries.doubles().between(10, 10_000)
                        .map(rate -> GuestWorkload.uniform(region, rate))),
                Arbitraries.doubles().between(0.01, 0.5).flatMap(region -> Arbitraries.doubles().between(10, 20_000)
                        .map(rate -> GuestWorkload.sequential(region, rate))));
    }

    @Provide
    Arbitrary<String> policies() {
        return Arbitraries.of(Policies.NAMES);
    }

    @Provide
    Arbitrary<MigrationLimits> limits() {
        return Arbitraries.longs().between(5, 2000).flatMap(downtime -> Arbitraries.integers().between(0, 99)
                .flatMap(throttle -> Arbitraries.of(true, false).flatMap(postCopy -> Arbitraries.doubles().between(0.5, 300)
                        .map(deadline -> new MigrationLimits(downtime, 0, throttle, postCopy, deadline)))));
    }

    @Property(tries = 120)
    void noPageIsLostAndAtLeastTheNonZeroMemoryIsSent(@ForAll("workloads") GuestWorkload workload,
            @ForAll("policies") String policy, @ForAll("limits") MigrationLimits limits,
            @ForAll @IntRange(min = 256, max = 4096) int pages, @ForAll @DoubleRange(min = 0, max = 0.6) double zeroShare,
            @ForAll long seed) {
        var guest = new SimulatedGuest(pages, zeroShare, workload, seed);
        long nonZeroAtStart = java.util.stream.IntStream.range(0, pages).filter(p -> !guest.isZeroPage(p)).count();

        var engine = new PreCopyEngine(guest, Policies.create(policy, pages * 4096L), new Link(LINK, 0.001), limits);
        var result = engine.run(Controls.NONE);

        assertThat(result.bytesSent()).isGreaterThanOrEqualTo(nonZeroAtStart * PreCopyEngine.PAGE_SIZE);
        if (result.outcome() == MigrationResult.Outcome.SUCCEEDED) {
            assertThat(guest.destinationMatchesSource()).as("destination memory equals source memory").isTrue();
            assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_DESTINATION);
        } else {
            assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
        }
        assertThat(result.rounds()).allSatisfy(r -> assertThat(r.decision().reason()).isNotBlank());
    }

    @Property(tries = 80)
    void cancelAtAnyMomentLeavesTheSourceRunning(@ForAll("workloads") GuestWorkload workload,
            @ForAll("policies") String policy, @ForAll @IntRange(min = 0, max = 12) int cancelAfter, @ForAll long seed) {
        var guest = new SimulatedGuest(1024, 0.1, workload, seed);
        int[] checks = {0};

        var result = new PreCopyEngine(guest, Policies.create(policy, 1024 * 4096L), LINK, 300)
                .run(Controls.cancelWhen(() -> checks[0]++ >= cancelAfter));

        if (result.outcome() == MigrationResult.Outcome.SUCCEEDED) {
            // it finished before the cancel came: then it must have finished whole
            assertThat(guest.destinationMatchesSource()).isTrue();
        } else {
            assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
        }
    }

    @Property(tries = 60)
    void forceCompleteAtAnyRoundMovesTheWholeGuest(@ForAll("workloads") GuestWorkload workload,
            @ForAll("policies") String policy, @ForAll @IntRange(min = 0, max = 10) int afterRounds, @ForAll long seed) {
        var guest = new SimulatedGuest(1024, 0.1, workload, seed);
        int[] rounds = {0};
        var controls = new Controls() {
            @Override
            public boolean forceCompleteRequested() {
                return rounds[0] >= afterRounds;
            }

            @Override
            public void roundCompleted(RoundRecord round) {
                rounds[0]++;
            }
        };

        var result = new PreCopyEngine(guest, Policies.create(policy, 1024 * 4096L), LINK, 300).run(controls);

        if (result.outcome() == MigrationResult.Outcome.SUCCEEDED) {
            assertThat(guest.destinationMatchesSource()).isTrue();
            assertThat(result.rounds().size()).isLessThanOrEqualTo(afterRounds + 1);
        } else {
            assertThat(guest.location()).isEqualTo(Hypervisor.GuestLocation.RUNNING_ON_SOURCE);
        }
    }
}
