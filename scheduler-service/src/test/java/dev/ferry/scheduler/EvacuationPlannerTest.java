package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.scheduler.plan.EvacuationPlanner;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.EvacuationTimeline.Links;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvacuationPlannerTest {
    static final long GIB = 1L << 30;
    static final double TEN_GBE = 1.25e9;
    static final double ONE_GBE = 1.25e8;
    static final DirtyModel IDLE = new DirtyModel(1, 0, "idle");

    static VmToMove vm(long id, long memGib, List<Option> options) {
        return vm(id, memGib, IDLE, options);
    }

    static VmToMove vm(long id, long memGib, DirtyModel dirty, List<Option> options) {
        return new VmToMove(id, "vm-" + id, memGib * GIB, dirty, options, "no compatible host: STORAGE_REACHABLE");
    }

    static Links links(double source, Map<Long, Double> targets, int inbound) {
        Map<Long, Integer> limits = new HashMap<>();
        targets.keySet().forEach(h -> limits.put(h, inbound));
        return new Links(source, targets, limits);
    }

    @Test
    void aMigrationAlreadyEnteringADestinationTakesItsShareThereAndThePlanGoesAroundIt() {
        // two equal 1 GbE destinations; hv-1 already receives a migration at its whole link for another 200 s
        List<Option> both = List.of(new Option(1, "a", ONE_GBE, 64 * GIB, 0), new Option(2, "b", ONE_GBE, 64 * GIB, 0));
        Map<Long, Integer> inbound = Map.of(1L, 4, 2L, 4);
        var busy = List.of(new dev.ferry.scheduler.plan.EvacuationTimeline.Busy(1, false, ONE_GBE, 200));
        Links alone = new Links(TEN_GBE, Map.of(1L, ONE_GBE, 2L, ONE_GBE), inbound);
        Links beside = new Links(TEN_GBE, Map.of(1L, ONE_GBE, 2L, ONE_GBE), inbound, 8, busy);

        var one = EvacuationPlanner.plan(List.of(vm(1, 4, both)), beside, 8, 300, "ferry");
        assertThat(one.moves()).singleElement().extracting(EvacuationPlanner.Move::targetHostId).isEqualTo(2L);

        // with only the busy host to go to, the VM gets half its link until the other ends: longer than alone
        List<Option> onlyA = List.of(both.get(0));
        long free = EvacuationPlanner.plan(List.of(vm(1, 4, onlyA)), alone, 8, 300, "ferry").predictedMakespanMillis();
        long shared = EvacuationPlanner.plan(List.of(vm(1, 4, onlyA)), beside, 8, 300, "ferry").predictedMakespanMillis();
        assertThat((double) shared).isCloseTo(2.0 * free, org.assertj.core.data.Percentage.withPercentage(5));
    }

    @Test
    void migrationsAlreadyLeavingTheHostHoldItsOutboundSlotsUntilTheyEnd() {
        List<Option> a = List.of(new Option(1, "a", TEN_GBE, 64 * GIB, 0));
        // the host lets one migration leave at a time, and an operator's move holds that slot for 30 s more
        var busy = List.of(new dev.ferry.scheduler.plan.EvacuationTimeline.Busy(7, true, TEN_GBE, 30));
        Links links = new Links(TEN_GBE, Map.of(1L, TEN_GBE), Map.of(1L, 4), 1, busy);

        var plan = EvacuationPlanner.plan(List.of(vm(1, 4, a), vm(2, 4, a)), links, 1, 300, "ferry");

        assertThat(plan.moves()).hasSize(2);
        assertThat(plan.moves().get(0).plannedStartMillis()).isEqualTo(30_000);
        assertThat(plan.moves().get(1).plannedStartMillis()).isEqualTo(plan.moves().get(0).plannedEndMillis());
    }

    @Test
    void everyVmGetsATargetOrAReasonAndNoTargetIsOverfilled() {
        // free memory after one 4 GiB VM lands: 4 GiB, so each host has 8 GiB free and takes two of them
        List<Option> two = List.of(new Option(1, "a", TEN_GBE, 4 * GIB, 0), new Option(2, "b", TEN_GBE, 4 * GIB, 0));
        List<VmToMove> vms = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            vms.add(vm(i, 4, two));
        }
        vms.add(vm(99, 1, List.of()));

        var plan = EvacuationPlanner.plan(vms, links(TEN_GBE, Map.of(1L, TEN_GBE, 2L, TEN_GBE), 2), 2, 300, "ferry");

        // two per host: the other two 4 GiB VMs cannot go, and neither can the one without any compatible host
        assertThat(plan.moves()).hasSize(4);
        assertThat(plan.moves().stream().filter(m -> m.targetHostId() == 1)).hasSize(2);
        assertThat(plan.unplaceable()).extracting(EvacuationPlanner.Stuck::vmId).contains(99L);
        assertThat(plan.unplaceable()).hasSize(3);
        assertThat(plan.unplaceable()).allSatisfy(s -> assertThat(s.reason()).isNotBlank());
    }

    static dev.ferry.scheduler.plan.GroupRules rules(String name, dev.ferry.inventory.api.PlacementKind kind, Long... vms) {
        return new dev.ferry.scheduler.plan.GroupRules(List.of(new dev.ferry.scheduler.plan.GroupRules.Group(name, kind,
                java.util.Set.of(vms))));
    }

    @Test
    void apartVmsLeaveForDifferentHostsAndTogetherVmsForTheSameAndARuleNoHostCanKeepIsNamed() {
        List<Option> roomy = List.of(new Option(1, "a", ONE_GBE, 100 * GIB, 0), new Option(2, "b", ONE_GBE, 100 * GIB, 0),
                new Option(3, "c", ONE_GBE, 100 * GIB, 0));
        Links links = links(TEN_GBE, Map.of(1L, ONE_GBE, 2L, ONE_GBE, 3L, ONE_GBE), 4);
        List<VmToMove> four = List.of(vm(1, 4, roomy), vm(2, 4, roomy), vm(3, 4, roomy), vm(4, 4, roomy));

        var apart = EvacuationPlanner.plan(four.subList(0, 3), links, 4, 300, "ferry",
                rules("db-apart", dev.ferry.inventory.api.PlacementKind.APART, 1L, 2L, 3L));
        assertThat(apart.moves()).extracting(EvacuationPlanner.Move::targetHostId).containsExactlyInAnyOrder(1L, 2L, 3L);

        // without the rule the four would spread over the three 1 GbE hosts; together, they all go where the first goes
        var together = EvacuationPlanner.plan(four, links, 4, 300, "ferry",
                rules("web-pair", dev.ferry.inventory.api.PlacementKind.TOGETHER, 1L, 2L, 3L, 4L));
        assertThat(together.moves()).hasSize(4);
        assertThat(together.moves().stream().map(EvacuationPlanner.Move::targetHostId).distinct()).hasSize(1);
        assertThat(EvacuationPlanner.plan(four, links, 4, 300, "ferry").moves().stream()
                .map(EvacuationPlanner.Move::targetHostId).distinct().count()).isGreaterThan(1);

        // four apart, three hosts: one stays, and the reason names the rule
        var tooMany = EvacuationPlanner.plan(four, links, 4, 300, "ferry",
                rules("db-apart", dev.ferry.inventory.api.PlacementKind.APART, 1L, 2L, 3L, 4L));
        assertThat(tooMany.moves()).hasSize(3);
        assertThat(tooMany.unplaceable()).singleElement().satisfies(s -> assertThat(s.reason()).startsWith("placement rule 'db-apart' keeps VM "));
    }

    @Test
    void onOneFullLinkMoreAtOnceIsNotFasterSoTheyLeaveOneByOneLongestFirst() {
        // guests that write: at half the link each, more pages are sent again than at the full link one after another
        DirtyModel writes = new DirtyModel(100_000, 200e6 / 4096, "measured");
        List<Option> roomy = List.of(new Option(1, "a", TEN_GBE, 100 * GIB, 0), new Option(2, "b", TEN_GBE, 100 * GIB, 0));
        var plan = EvacuationPlanner.plan(List.of(vm(1, 2, writes, roomy), vm(2, 8, writes, roomy), vm(3, 4, writes, roomy)),
                links(TEN_GBE, Map.of(1L, TEN_GBE, 2L, TEN_GBE), 4), 4, 300, "ferry");

        assertThat(plan.concurrency()).isEqualTo(1);
        assertThat(plan.moves()).extracting(EvacuationPlanner.Move::vmId).containsExactly(2L, 3L, 1L);
        for (int i = 1; i < plan.moves().size(); i++) {
            assertThat(plan.moves().get(i).plannedStartMillis()).isEqualTo(plan.moves().get(i - 1).plannedEndMillis());
        }
        assertThat(plan.predictedMakespanMillis()).isEqualTo(plan.moves().get(2).plannedEndMillis());
    }

    @Test
    void destinationsSlowerThanTheSourceTakeSeveralAtOnceAndNeverBeatTheirLinks() {
        // a 10 GbE host emptied into four 1 GbE hosts: one at a time would use a tenth of its link
        Map<Long, Double> slow = Map.of(1L, ONE_GBE, 2L, ONE_GBE, 3L, ONE_GBE, 4L, ONE_GBE);
        List<Option> options = new ArrayList<>();
        slow.keySet().stream().sorted().forEach(h -> options.add(new Option(h, "hv-" + h, ONE_GBE, 100 * GIB, 0)));
        List<VmToMove> vms = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            vms.add(vm(i, 2, options));
        }

        var plan = EvacuationPlanner.plan(vms, links(TEN_GBE, slow, 2), 8, 300, "ferry");

        assertThat(plan.concurrency()).isGreaterThanOrEqualTo(4);
        assertThat(plan.moves()).hasSize(8);
        assertThat(plan.unplaceable()).isEmpty();
        // 16 GiB into 4 x 125 MB/s cannot take less than 34 s; spread over the four hosts it takes about that
        double bound = 16.0 * GIB / (4 * ONE_GBE) * 1000;
        assertThat(plan.predictedMakespanMillis()).isBetween((long) bound, (long) (bound * 1.1));
        assertThat(plan.moves().stream().map(EvacuationPlanner.Move::targetHostId).distinct()).hasSize(4);
    }

    @Test
    void whenTheFastDestinationsLackRoomTheSlowOnesWorkBesideThemFromTheStart() {
        // one 10 GbE destination with room for 16 GiB, three 1 GbE ones: 40 GiB must leave, 24 GiB over slow links
        Map<Long, Double> mixed = Map.of(1L, TEN_GBE, 2L, ONE_GBE, 3L, ONE_GBE, 4L, ONE_GBE);
        List<VmToMove> vms = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            long gib = 2 + (i % 3) * 2; // 2, 4 and 6 GiB
            List<Option> options = new ArrayList<>();
            for (long h = 1; h <= 4; h++) {
                options.add(new Option(h, "hv-" + h, Math.min(TEN_GBE, mixed.get(h)), (h == 1 ? 16 : 64) * GIB - gib * GIB, 0));
            }
            vms.add(vm(i, gib, options));
        }
        long total = vms.stream().mapToLong(VmToMove::memoryBytes).sum();

        var plan = EvacuationPlanner.plan(vms, links(TEN_GBE, mixed, 4), 8, 300, "ferry");

        assertThat(plan.unplaceable()).isEmpty();
        assertThat(plan.onePerDestination()).isTrue();
        // slow destinations start at once beside the fast one, not once it is full
        assertThat(plan.concurrency()).isGreaterThanOrEqualTo(3);
        assertThat(plan.moves().stream().filter(m -> m.plannedStartMillis() == 0 && m.targetHostId() != 1)
                .map(EvacuationPlanner.Move::targetHostId).distinct().count()).isGreaterThanOrEqualTo(2);
        // what the fast host cannot hold must cross the three slow links: no plan beats that
        double bound = (total - 16.0 * GIB) / (3 * ONE_GBE) * 1000;
        assertThat(plan.predictedMakespanMillis()).isBetween((long) bound, (long) (bound * 1.25));
        assertThat(plan.moves().stream().filter(m -> m.targetHostId() == 1).mapToLong(m -> vms.stream()
                .filter(v -> v.vmId() == m.vmId()).findFirst().orElseThrow().memoryBytes()).sum()).isLessThanOrEqualTo(16 * GIB);
    }

    @Test
    void theMakespanNeverBeatsTheSourcesLink() {
        List<Option> roomy = List.of(new Option(1, "a", TEN_GBE, 100 * GIB, 0), new Option(2, "b", TEN_GBE, 100 * GIB, 0));
        List<VmToMove> vms = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            vms.add(vm(i, 1 + i, roomy));
        }

        var plan = EvacuationPlanner.plan(vms, links(TEN_GBE, Map.of(1L, TEN_GBE, 2L, TEN_GBE), 8), 8, 300, "ferry");

        double bound = 21.0 * GIB / TEN_GBE * 1000; // 1 + 2 + ... + 6 GiB over one 10 GbE link
        assertThat(plan.predictedMakespanMillis()).isBetween((long) bound, (long) (bound * 1.05));
    }
}
