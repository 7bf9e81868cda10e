package dev.ferry.scheduler.plan;

import dev.ferry.inventory.api.PlacementKind;
import dev.ferry.inventory.api.Views.PlacementRuleView;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The operators' VM-to-VM placement rules as a plan must keep them among its own moves. Inventory's pre-checks judge
 * each move against where the other VMs are or are reserved to go; a plan places many VMs before any is reserved, so
 * it checks the others it has placed itself: an APART VM never goes where the plan puts another of its rule, and a
 * TOGETHER VM goes where the plan put the first of its rule (ON_HOSTS needs no plan: the pre-checks alone decide it).
 */
public final class GroupRules {
    /** A rule as planning needs it: its name for the reason, its kind, and the VMs it binds. */
    public record Group(String name, PlacementKind kind, Set<Long> vmIds) {
    }

    public static final GroupRules NONE = new GroupRules(List.of());

    private final Map<Long, List<Group>> byVm = new HashMap<>();

    public GroupRules(List<Group> groups) {
        for (Group g : groups) {
            if (g.kind() != PlacementKind.ON_HOSTS) {
                g.vmIds().forEach(vm -> byVm.computeIfAbsent(vm, k -> new ArrayList<>()).add(g));
            }
        }
    }

    public static GroupRules of(List<PlacementRuleView> rules) {
        return new GroupRules(rules.stream().map(r -> new Group(r.name(), r.kind(), r.vmIds())).toList());
    }

    /**
     * Why the VM may not end on the host, given where the plan ends the VMs it has placed ({@code endsOn}: VM id to
     * host id); null when it may. VMs the plan has not placed are not counted: inventory's pre-checks count them.
     */
    public String blocks(long vmId, long hostId, Map<Long, Long> endsOn) {
        for (Group g : byVm.getOrDefault(vmId, List.of())) {
            for (long other : g.vmIds()) {
                Long there = other == vmId ? null : endsOn.get(other);
                if (there == null) {
                    continue;
                }
                if (g.kind() == PlacementKind.APART && there == hostId) {
                    return "placement rule '" + g.name() + "' keeps VM " + vmId + " apart from VM " + other
                            + ", which this plan puts on host " + hostId;
                }
                if (g.kind() == PlacementKind.TOGETHER && there != hostId) {
                    return "placement rule '" + g.name() + "' keeps VM " + vmId + " with VM " + other + ", which this plan puts on host "
                            + there;
                }
            }
        }
        return null;
    }
}
