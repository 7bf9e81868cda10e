package dev.ferry.inventory.precheck;

import dev.ferry.inventory.api.PlacementKind;
import dev.ferry.inventory.api.Rule;
import dev.ferry.inventory.api.RuleResult;
import dev.ferry.inventory.precheck.MigrationFacts.HostFacts;
import dev.ferry.inventory.precheck.MigrationFacts.Member;
import dev.ferry.inventory.precheck.MigrationFacts.PlacementFacts;
import dev.ferry.inventory.precheck.MigrationFacts.VmFacts;
import java.util.ArrayList;
import java.util.List;

/**
 * The operators' placement rules as three pre-checks, each naming the rule that blocks a move. A member of a rule
 * counts where it will be: on its destination while a reservation is taking it there, on its host otherwise, so that
 * two moves planned one after the other (an evacuation's, a rebalance's) are judged as they will stand.
 */
final class PlacementChecks {
    private PlacementChecks() {
    }

    static List<RuleResult> evaluate(VmFacts vm, HostFacts target) {
        List<String> together = new ArrayList<>();
        List<String> apart = new ArrayList<>();
        List<String> onHosts = new ArrayList<>();
        for (PlacementFacts rule : vm.placement()) {
            switch (rule.kind()) {
                case TOGETHER -> together.addAll(together(vm, rule, target));
                case APART -> apart.addAll(apart(vm, rule, target));
                case ON_HOSTS -> {
                    if (!rule.hosts().containsKey(target.id())) {
                        onHosts.add("placement rule '" + rule.name() + "' keeps VM " + vm.name() + " on " + String.join(", ",
                                rule.hosts().values()) + " only, not " + target.name());
                    }
                }
            }
        }
        return List.of(result(Rule.VM_AFFINITY, together, vm, PlacementKind.TOGETHER, "with the VMs it must run beside"),
                result(Rule.VM_ANTI_AFFINITY, apart, vm, PlacementKind.APART, "away from the VMs it must run apart from"),
                result(Rule.HOST_AFFINITY, onHosts, vm, PlacementKind.ON_HOSTS, "on a host its rules allow"));
    }

    /**
     * Each other member must end on the target, or stay beside the VM on its current host (it follows later): a group
     * is then on one host, or on two while it moves, and may always be brought back together.
     */
    private static List<String> together(VmFacts vm, PlacementFacts rule, HostFacts target) {
        List<String> why = new ArrayList<>();
        for (Member m : rule.others()) {
            boolean followsLater = m.movingToHostId() == null && m.hostId() == vm.hostId();
            if (m.endsOn() != target.id() && !followsLater) {
                why.add("placement rule '" + rule.name() + "' keeps VM " + vm.name() + " with " + m.vmName() + ", which "
                        + where(m) + ", not on " + target.name());
            }
        }
        return why;
    }

    private static List<String> apart(VmFacts vm, PlacementFacts rule, HostFacts target) {
        List<String> why = new ArrayList<>();
        for (Member m : rule.others()) {
            if (m.endsOn() == target.id()) {
                why.add("placement rule '" + rule.name() + "' keeps VM " + vm.name() + " apart from " + m.vmName() + ", which "
                        + where(m));
            }
        }
        return why;
    }

    private static String where(Member m) {
        return m.movingToHostId() != null ? "is moving to " + m.movingToHostName() : "runs on " + m.hostName();
    }

    private static RuleResult result(Rule rule, List<String> failures, VmFacts vm, PlacementKind kind, String passed) {
        if (!failures.isEmpty()) {
            return RuleResult.fail(rule, String.join("; ", failures));
        }
        long rules = vm.placement().stream().filter(p -> p.kind() == kind).count();
        return RuleResult.pass(rule, rules == 0 ? "no " + kind + " placement rule names VM " + vm.name()
                : "target keeps VM " + vm.name() + " " + passed + " (" + rules + " rule" + (rules == 1 ? "" : "s") + ")");
    }
}
