package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.scheduler.plan.MoveTimeline;
import dev.ferry.scheduler.plan.RebalancePlanner;
import dev.ferry.scheduler.plan.RebalancePlanner.HostLoad;
import dev.ferry.scheduler.plan.RebalancePlanner.VmOnHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RebalancePlannerTest {
    static final long GIB = 1L << 30;
    static final double TEN_GBE = 1.25e9;
    static final DirtyModel IDLE = new DirtyModel(1, 0, "idle");

    static HostLoad host(long id, long allocatedGib, int vcpus) {
        return new HostLoad(id, "hv-" + id, 64.0 * GIB, 32, allocatedGib * GIB, vcpus, TEN_GBE);
    }

    @Test
    void imbalanceIsTheSpreadOfMemoryAndVcpuShares() {
        // memory shares 0.5 and 0: a standard deviation of 0.25; vCPU shares equal: 0
        assertThat(RebalancePlanner.imbalance(List.of(host(1, 32, 8), host(2, 0, 8)))).isCloseTo(0.25, offset(1e-9));
        assertThat(RebalancePlanner.imbalance(List.of(host(1, 16, 8), host(2, 16, 8), host(3, 16, 8)))).isZero();
    }

    @Test
    void measuredCpuEvensOutBusyGuestsThatAllocationAloneWouldLeaveTogether() {
        // two hosts of 16 hardware threads, each holding four VMs of 4 GiB and 2 vCPUs: even by allocation. But hv-1's
        // four guests each keep 1.5 cores busy and hv-2's use 0.1 each: 6 of 16 cores against 0.4
        List<VmOnHost> vms = new ArrayList<>();
        for (long i = 1; i <= 8; i++) {
            long on = i <= 4 ? 1 : 2;
            vms.add(new VmOnHost(i, "vm-" + i, on, 4 * GIB, 2, IDLE, Set.of(3 - on), on == 1 ? 1.5 : 0.1));
        }
        List<HostLoad> measured = List.of(new HostLoad(1, "hv-1", 64.0 * GIB, 32, 16 * GIB, 8, TEN_GBE, 16, 6.0),
                new HostLoad(2, "hv-2", 64.0 * GIB, 32, 16 * GIB, 8, TEN_GBE, 16, 0.4));
        List<HostLoad> unmeasured = List.of(host(1, 16, 8), host(2, 16, 8));

        var plan = RebalancePlanner.plan(measured, vms, 10, 0.005, 300, "ferry");

        // the CPU shares 0.375 and 0.025 spread 0.175 (memory is even); busy guests leave hv-1 first, then quiet ones
        // come back for the memory, until two busy and two quiet guests run on each host
        assertThat(plan.imbalanceBefore()).isCloseTo(0.175, offset(1e-9));
        assertThat(plan.moves().get(0).fromHostId()).as("a busy guest leaves first").isEqualTo(1L);
        assertThat(plan.moves().get(0).vmId()).isLessThanOrEqualTo(4L);
        Map<Long, Long> endsOn = new HashMap<>();
        vms.forEach(v -> endsOn.put(v.vmId(), v.hostId()));
        plan.moves().forEach(m -> endsOn.put(m.vmId(), m.toHostId()));
        assertThat(endsOn.entrySet().stream().filter(e -> e.getKey() <= 4 && e.getValue() == 1L).count()).as("busy guests left on hv-1")
                .isEqualTo(2);
        assertThat(endsOn.values().stream().filter(h -> h == 1L).count()).as("guests on hv-1").isEqualTo(4);
        assertThat(plan.imbalanceAfter()).isCloseTo(0, offset(1e-9));
        // what each destination has left once the plan is made: 48 GiB, which a request queued meanwhile must not exceed
        assertThat(RebalancePlanner.slack(measured, plan, vms)).isEqualTo(Map.of(1L, 48 * GIB, 2L, 48 * GIB));
        // without the measurements there is nothing to even out
        assertThat(RebalancePlanner.plan(unmeasured, vms, 10, 0.005, 300, "ferry").moves()).isEmpty();
    }

    @Test
    void aLoadedHostSharesItsVmsWithEmptyOnesAndNoHostGoesOverItsCapacity() {
        List<HostLoad> hosts = List.of(host(1, 24, 12), host(2, 0, 0), host(3, 0, 0));
        List<VmOnHost> vms = new ArrayList<>();
        for (long i = 1; i <= 6; i++) {
            vms.add(new VmOnHost(i, "vm-" + i, 1, 4 * GIB, 2, IDLE, Set.of(2L, 3L)));
        }

        var plan = RebalancePlanner.plan(hosts, vms, 10, 0.005, 300, "ferry");

        // four of the six leave, two to each empty host: 8 GiB and 4 vCPUs everywhere
        assertThat(plan.moves()).hasSize(4);
        assertThat(plan.imbalanceAfter()).isCloseTo(0, offset(1e-9));
        assertThat(plan.imbalanceBefore()).isGreaterThan(0.2);
        Map<Long, Integer> arriving = new HashMap<>();
        plan.moves().forEach(m -> arriving.merge(m.toHostId(), 1, Integer::sum));
        assertThat(arriving).containsEntry(2L, 2).containsEntry(3L, 2);
        for (int i = 1; i < plan.moves().size(); i++) {
            assertThat(plan.moves().get(i).imbalanceAfter()).isLessThan(plan.moves().get(i - 1).imbalanceAfter());
        }
        assertThat(plan.cost().totalTimeMillis()).isEqualTo(plan.moves().stream().mapToLong(m -> m.forecast().totalTimeMillis()).sum());
        assertThat(plan.cost().bytes()).isGreaterThanOrEqualTo(4 * 4 * GIB);
        assertThat(plan.cost().throttleSeconds()).isZero(); // idle guests are never throttled
        assertThat(plan.notMoved()).isEmpty(); // the cluster is even: nothing more was wanted

        // played out: all four leave host 1, two at a time (its outbound limit), each pair sharing its link: together
        // they take as long as one after another, and each move, at half the link, takes twice as long as alone
        var limits = new MoveTimeline.Host(TEN_GBE, 2, 2);
        var played = RebalancePlanner.playedOut(plan, vms, Map.of(1L, limits, 2L, limits, 3L, limits), 5, 300, "ferry");
        assertThat((double) played.makespanMillis()).isCloseTo(plan.cost().totalTimeMillis(), org.assertj.core.data.Percentage.withPercentage(3));
        assertThat((double) played.plan().cost().totalTimeMillis())
                .isCloseTo(2.0 * plan.cost().totalTimeMillis(), org.assertj.core.data.Percentage.withPercentage(5));
        assertThat(played.plan().cost().totalTimeMillis())
                .isEqualTo(played.plan().moves().stream().mapToLong(m -> m.forecast().totalTimeMillis()).sum());
        assertThat(played.plan().moves()).extracting(RebalancePlanner.Move::vmId)
                .containsExactlyElementsOf(plan.moves().stream().map(RebalancePlanner.Move::vmId).toList());
        // and with room for one at a time on each destination and in all, exactly so, each move at its whole link
        var one = new MoveTimeline.Host(TEN_GBE, 1, 1);
        var alone = RebalancePlanner.playedOut(plan, vms, Map.of(1L, one, 2L, one, 3L, one), 1, 300, "ferry");
        assertThat(alone.makespanMillis()).isEqualTo(plan.cost().totalTimeMillis());
        assertThat(alone.plan().cost()).isEqualTo(plan.cost());
    }

    @Test
    void aVmThatWouldHelpButMayNotMoveIsListedWithWhyForEachHost() {
        // hv-1 runs two web VMs kept apart and two databases writing three times faster than the 1 GbE link; hv-2 is empty
        double oneGbe = 1.25e8;
        List<HostLoad> hosts = List.of(new HostLoad(1, "hv-1", 64.0 * GIB, 32, 32 * GIB, 16, oneGbe),
                new HostLoad(2, "hv-2", 64.0 * GIB, 32, 0, 0, oneGbe));
        DirtyModel hot = new DirtyModel(8 * GIB / 4096 / 4, 3 * oneGbe / 4096, "measured");
        List<VmOnHost> vms = List.of(new VmOnHost(1, "web-1", 1, 8 * GIB, 4, IDLE, Set.of(2L)),
                new VmOnHost(2, "web-2", 1, 8 * GIB, 4, IDLE, Set.of(2L)),
                new VmOnHost(3, "db-1", 1, 8 * GIB, 4, hot, Set.of(2L)),
                new VmOnHost(4, "db-2", 1, 8 * GIB, 4, hot, Set.of(2L)));

        // under QEMU's defaults (no throttle) the databases never converge
        var plan = RebalancePlanner.plan(hosts, vms, 10, 0.005, 300, "qemu-default", EvacuationPlannerTest.rules("webs",
                dev.ferry.inventory.api.PlacementKind.APART, 1L, 2L));

        assertThat(plan.moves()).hasSize(1).extracting(RebalancePlanner.Move::vmName).containsAnyOf("web-1", "web-2");
        String web = plan.moves().get(0).vmId() == 1 ? "web-2" : "web-1";
        Map<String, List<String>> why = new HashMap<>();
        plan.notMoved().forEach(n -> why.put(n.vmName(), n.reasons()));
        assertThat(why).containsOnlyKeys(web, "db-1", "db-2");
        assertThat(why.get(web)).singleElement().asString().startsWith("hv-2: placement rule 'webs' keeps VM");
        assertThat(why.get("db-1")).singleElement().asString().startsWith("hv-2: predicted not to converge within 300 ms")
                .contains("give up");
    }

    @Test
    void aMoveThatThrottlesItsGuestCostsItsThrottleSeconds() {
        DirtyModel hot = new DirtyModel(8 * GIB / 4096 / 4, 3 * 1.25e8 / 4096, "measured");
        var converging = dev.ferry.model.forecast.Forecaster.forecast(8 * GIB, 1.25e8, 300, hot, "ferry");
        var plain = new dev.ferry.model.forecast.Forecast(converging.rounds(), converging.totalTimeMillis(),
                converging.downtimeMillis(), converging.bytesSent(), true, "ferry", "", "", 0);

        assertThat(converging.throttleSeconds()).isPositive();
        assertThat(RebalancePlanner.cost(converging) - RebalancePlanner.cost(plain))
                .isCloseTo(RebalancePlanner.THROTTLE_WEIGHT * converging.throttleSeconds(), offset(1e-6));
    }

    @Test
    void placementRulesHoldAsThePlanMovesVms() {
        List<HostLoad> hosts = List.of(host(1, 24, 12), host(2, 0, 0), host(3, 0, 0));
        List<VmOnHost> vms = new ArrayList<>();
        for (long i = 1; i <= 6; i++) {
            vms.add(new VmOnHost(i, "vm-" + i, 1, 4 * GIB, 2, IDLE, Set.of(2L, 3L)));
        }
        // all six apart: each empty host takes one of them, never two
        var apart = RebalancePlanner.plan(hosts, vms, 10, 0.005, 300, "ferry", EvacuationPlannerTest.rules("apart",
                dev.ferry.inventory.api.PlacementKind.APART, 1L, 2L, 3L, 4L, 5L, 6L));
        assertThat(apart.moves()).extracting(RebalancePlanner.Move::toHostId).containsExactlyInAnyOrder(2L, 3L);
        // 1 and 2 together: neither leaves alone; the other four even the cluster out
        var together = RebalancePlanner.plan(hosts, vms, 10, 0.005, 300, "ferry", EvacuationPlannerTest.rules("pair",
                dev.ferry.inventory.api.PlacementKind.TOGETHER, 1L, 2L));
        assertThat(together.moves()).hasSize(4).extracting(RebalancePlanner.Move::vmId).doesNotContain(1L, 2L);
    }

    @Test
    void ofTwoMovesThatEvenTheClusterOutEquallyTheCheaperOneIsTaken() {
        // host 1 runs two 8 GiB VMs, one idle and one writing hard; moving either evens the two hosts out
        DirtyModel hot = new DirtyModel(8 * GIB / 4096 / 2, 600e6 / 4096, "measured");
        List<VmOnHost> vms = List.of(new VmOnHost(1, "busy-db", 1, 8 * GIB, 4, hot, Set.of(2L)),
                new VmOnHost(2, "quiet-app", 1, 8 * GIB, 4, IDLE, Set.of(2L)));

        var plan = RebalancePlanner.plan(List.of(host(1, 16, 8), host(2, 0, 0)), vms, 10, 0.005, 300, "ferry");

        assertThat(plan.moves()).extracting(RebalancePlanner.Move::vmName).containsExactly("quiet-app");
        assertThat(plan.imbalanceAfter()).isCloseTo(0, offset(1e-9));
    }

    @Test
    void aVmOnlyGoesWhereThePreChecksLetItAndABalancedClusterIsLeftAlone() {
        List<VmOnHost> pinned = List.of(new VmOnHost(1, "pinned", 1, 8 * GIB, 4, IDLE, Set.of()));
        assertThat(RebalancePlanner.plan(List.of(host(1, 8, 4), host(2, 0, 0)), pinned, 10, 0.005, 300, "ferry").moves()).isEmpty();

        List<VmOnHost> even = List.of(new VmOnHost(1, "a", 1, 8 * GIB, 4, IDLE, Set.of(2L)),
                new VmOnHost(2, "b", 2, 8 * GIB, 4, IDLE, Set.of(1L)));
        var plan = RebalancePlanner.plan(List.of(host(1, 8, 4), host(2, 8, 4)), even, 10, 0.005, 300, "ferry");
        assertThat(plan.moves()).isEmpty();
        assertThat(plan.imbalanceBefore()).isZero();
    }
}
