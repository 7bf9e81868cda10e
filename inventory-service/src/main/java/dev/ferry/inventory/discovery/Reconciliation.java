package dev.ferry.inventory.discovery;

import dev.ferry.events.HostReport;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares what a host runs (its report) with where inventory places VMs, and names every difference. Pure. It never
 * decides who is right: a difference becomes a discrepancy an operator resolves, and inventory's records stay as they
 * are. A VM with a migration under way is left out (it runs on both hosts, or neither, for a moment).
 */
public final class Reconciliation {
    /** A running guest that inventory places on another host. */
    public static final String GUEST_ELSEWHERE = "GUEST_ELSEWHERE";
    /** A running guest that no VM in inventory names. */
    public static final String GUEST_UNREGISTERED = "GUEST_UNREGISTERED";
    /** A running VM that inventory places on this host, which the host does not run. */
    public static final String VM_NOT_ON_HOST = "VM_NOT_ON_HOST";
    /** The host's libvirtd did not answer the probe. */
    public static final String HOST_UNREACHABLE = "HOST_UNREACHABLE";

    private Reconciliation() {
    }

    /** A VM as inventory has it: its id, name, host and whether it should be running. */
    public record Placed(long vmId, String name, long hostId, String hostName, boolean running) {
    }

    /**
     * One difference. {@code subject} names what it is about (a guest or VM name), so that the same difference seen by
     * the next sync is recognised as the same one.
     */
    public record Difference(String kind, Long vmId, String subject, String detail) {
    }

    /**
     * @param hostId   the reporting host
     * @param hostName its name in inventory
     * @param report   what it said (reachable)
     * @param byName   every VM in inventory whose name a guest of the report or a VM of this host carries
     * @param moving   VMs with a migration under way
     */
    public static List<Difference> compare(long hostId, String hostName, HostReport report, Map<String, Placed> byName,
            Set<Long> moving) {
        List<Difference> out = new ArrayList<>();
        Set<String> runningHere = new java.util.HashSet<>();
        for (HostReport.Guest g : report.guests()) {
            if (!g.running()) {
                continue; // defined but shut off: not running anywhere, so nothing to contradict
            }
            runningHere.add(g.name());
            Placed vm = byName.get(g.name());
            if (vm == null) {
                out.add(new Difference(GUEST_UNREGISTERED, null, g.name(), "guest " + g.name() + " (uuid " + g.uuid() + ") runs on "
                        + hostName + ", but no VM in inventory has that name"));
            } else if (vm.hostId() != hostId && !moving.contains(vm.vmId())) {
                out.add(new Difference(GUEST_ELSEWHERE, vm.vmId(), g.name(), "VM " + g.name() + " runs on " + hostName
                        + " (its libvirtd says so), but inventory places it on " + vm.hostName()));
            }
        }
        for (Placed vm : byName.values()) {
            if (vm.hostId() == hostId && vm.running() && !runningHere.contains(vm.name()) && !moving.contains(vm.vmId())) {
                out.add(new Difference(VM_NOT_ON_HOST, vm.vmId(), vm.name(), "inventory places running VM " + vm.name() + " on "
                        + hostName + ", but its libvirtd does not run a guest of that name"));
            }
        }
        return out;
    }
}
