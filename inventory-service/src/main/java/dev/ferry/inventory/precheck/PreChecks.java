package dev.ferry.inventory.precheck;

import dev.ferry.inventory.api.Rule;
import dev.ferry.inventory.api.RuleResult;
import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.precheck.MigrationFacts.HostFacts;
import dev.ferry.inventory.precheck.MigrationFacts.HostLibvirt;
import dev.ferry.inventory.precheck.MigrationFacts.LibvirtGuest;
import dev.ferry.inventory.precheck.MigrationFacts.PeerAnswers;
import dev.ferry.inventory.precheck.MigrationFacts.VmFacts;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The XenMotion pre-migration rules. Every rule is evaluated and reported, so that an operator sees
 * all the reasons a target is refused at once, not one per attempt.
 */
public final class PreChecks {
    private static final long MIB = 1024L * 1024L;

    private PreChecks() {
    }

    public static Verdict evaluate(VmFacts vm, HostFacts source, HostFacts target) {
        List<RuleResult> results = new ArrayList<>();
        results.add(target.id() != vm.hostId()
                ? RuleResult.pass(Rule.NOT_CURRENT_HOST, "target is not the VM's current host")
                : RuleResult.fail(Rule.NOT_CURRENT_HOST, "VM " + vm.name() + " already runs on " + target.name()));
        results.add(vm.running()
                ? RuleResult.pass(Rule.VM_RUNNING, "VM is running")
                : RuleResult.fail(Rule.VM_RUNNING, "VM " + vm.name() + " is not running; only a running VM live-migrates"));
        results.add(guestOnSource(vm, source));
        results.add(target.up()
                ? RuleResult.pass(Rule.TARGET_UP, "target is UP")
                : RuleResult.fail(Rule.TARGET_UP, "host " + target.name() + " is " + target.state() + ", not UP"));
        results.add(cpuVendor(vm, source, target));
        results.add(cpuFamily(vm, source, target));
        Set<String> missingFeatures = new TreeSet<>(vm.requiredCpuFeatures());
        missingFeatures.removeAll(target.cpuFlags());
        results.add(missingFeatures.isEmpty()
                ? RuleResult.pass(Rule.CPU_FEATURES, "target offers every required CPU feature")
                : RuleResult.fail(Rule.CPU_FEATURES, target.name() + " lacks CPU feature(s) " + missingFeatures
                        + " that VM " + vm.name() + " uses"));
        results.add(libvirtCpu(vm, target));
        LibvirtGuest guest = vm.libvirt();
        Set<Long> unreachable = missing(vm.volumePoolIds(), target.reachablePoolIds());
        results.add(reach(Rule.STORAGE_REACHABLE, target, guest == null ? null : guest.disks(),
                unreachable.isEmpty() ? null : target.name() + " cannot reach storage pool(s) " + unreachable
                        + "; a storage migration would be needed",
                "every volume is on storage the target reaches", "finds every disk of the guest in its storage pools"));
        Set<Long> absent = missing(vm.networkIds(), target.carriedNetworkIds());
        results.add(reach(Rule.NETWORKS_CARRIED, target, guest == null ? null : guest.networks(),
                absent.isEmpty() ? null : target.name() + " does not carry network(s) " + absent,
                "every NIC's network is on the target", "has every network and bridge the guest's NICs use"));
        results.add(target.freeMemoryBytes() >= vm.memoryBytes()
                ? RuleResult.pass(Rule.MEMORY_CAPACITY, "free memory " + target.freeMemoryBytes() / MIB + " MiB")
                : RuleResult.fail(Rule.MEMORY_CAPACITY, target.name() + " has " + Math.max(0, target.freeMemoryBytes()) / MIB
                        + " MiB free after placed VMs and reservations, VM needs " + vm.memoryBytes() / MIB + " MiB"));
        results.add(target.freeVcpus() >= vm.vcpus()
                ? RuleResult.pass(Rule.CPU_CAPACITY, "free vCPUs " + target.freeVcpus())
                : RuleResult.fail(Rule.CPU_CAPACITY, target.name() + " has " + Math.max(0, target.freeVcpus())
                        + " vCPUs free, VM needs " + vm.vcpus()));
        results.addAll(PlacementChecks.evaluate(vm, target));
        return Verdict.of(target.id(), target.name(), results);
    }

    private static RuleResult cpuVendor(VmFacts vm, HostFacts source, HostFacts target) {
        boolean own = vm.requiredCpuVendor() != null;
        String required = own ? vm.requiredCpuVendor() : source.cpuVendor();
        if (required.equalsIgnoreCase(target.cpuVendor())) {
            return RuleResult.pass(Rule.CPU_VENDOR, "same CPU vendor " + target.cpuVendor());
        }
        String wanted = own ? "VM " + vm.name() + " requires " + required
                : "VM runs on " + required + " (" + source.cpuModelName() + ")";
        return RuleResult.fail(Rule.CPU_VENDOR, "CPU vendor differs: " + wanted + ", " + target.name() + " has "
                + target.cpuVendor() + " (" + target.cpuModelName() + ")");
    }

    private static RuleResult cpuFamily(VmFacts vm, HostFacts source, HostFacts target) {
        boolean own = vm.requiredCpuFamily() != null;
        int required = own ? vm.requiredCpuFamily() : source.cpuFamily();
        if (required == target.cpuFamily()) {
            return RuleResult.pass(Rule.CPU_FAMILY, "same CPU family " + target.cpuFamily() + "; speed may differ");
        }
        return RuleResult.fail(Rule.CPU_FAMILY, "CPU family differs: " + required + (own ? " required by the VM, " : " on the source, ")
                + target.cpuFamily() + " on " + target.name());
    }

    /**
     * libvirt's own CPU comparison, as the last sync asked it of the target: the model and features of the guest's CPU
     * definition against what the target's hypervisor can run. Decisive where it exists (a guest can pass the vendor and
     * family rules and still need a feature the target lacks); where it does not, the other CPU rules decide alone.
     */
    private static RuleResult libvirtCpu(VmFacts vm, HostFacts target) {
        PeerAnswers cpu = vm.libvirt() == null ? PeerAnswers.NONE : vm.libvirt().cpu();
        if (cpu.no().containsKey(target.id())) {
            return RuleResult.fail(Rule.LIBVIRT_CPU, "libvirt on " + target.name() + " cannot run VM " + vm.name() + "'s CPU: "
                    + cpu.no().get(target.id()));
        }
        if (cpu.yes().contains(target.id())) {
            return RuleResult.pass(Rule.LIBVIRT_CPU, "libvirt on " + target.name() + " can run the guest's CPU (asked "
                    + vm.libvirt().observedAt() + ")");
        }
        return RuleResult.pass(Rule.LIBVIRT_CPU, "not asked: no libvirt answer for this guest and " + target.name()
                + " (not managed through libvirt, or not synced yet); the vendor, family and feature rules decide");
    }

    /**
     * Where the source's libvirtd runs the guest. Inventory's word that the VM runs there is checked against the host's
     * own, as of its last report: a guest stopped or moved behind Ferry's back is refused here rather than failing in
     * the worker. A report older than the guest (registered or started since) is refreshed by probing the host.
     */
    private static RuleResult guestOnSource(VmFacts vm, HostFacts source) {
        HostLibvirt host = source.libvirt();
        if (host == null) {
            return RuleResult.pass(Rule.GUEST_ON_SOURCE, "not asked: " + source.name() + " is not managed through libvirt");
        }
        if (host.lastReportAt() == null) {
            return RuleResult.pass(Rule.GUEST_ON_SOURCE, "not asked yet: no report from " + source.name() + "'s libvirtd so far");
        }
        if (host.unreachableReason() != null) {
            return RuleResult.fail(Rule.GUEST_ON_SOURCE, "libvirt on " + source.name() + " did not answer its last probe ("
                    + host.unreachableReason() + "): nothing can move VM " + vm.name() + " off it");
        }
        LibvirtGuest guest = vm.libvirt();
        String refresh = " (report of " + host.lastReportAt() + "; POST /hosts/" + source.id() + "/probe asks again)";
        if (guest == null) {
            return RuleResult.fail(Rule.GUEST_ON_SOURCE, "libvirt on " + source.name() + " has no guest named " + vm.name() + refresh);
        }
        if (!guest.running()) {
            return RuleResult.fail(Rule.GUEST_ON_SOURCE, "guest " + vm.name() + " is defined on " + source.name()
                    + " but not running" + refresh);
        }
        return RuleResult.pass(Rule.GUEST_ON_SOURCE, "libvirt on " + source.name() + " runs guest " + vm.name() + " (as of "
                + guest.observedAt() + ")");
    }

    /**
     * A reachability rule: inventory's links of pools or networks to hosts, and, where libvirt on the target was asked,
     * its own answer. Either refusal fails the rule, and the message gives every reason.
     */
    private static RuleResult reach(Rule rule, HostFacts target, PeerAnswers libvirt, String inventoryRefusal, String passed,
            String libvirtPassed) {
        List<String> why = new ArrayList<>();
        if (inventoryRefusal != null) {
            why.add(inventoryRefusal);
        }
        if (libvirt != null && libvirt.no().containsKey(target.id())) {
            why.add("libvirt on " + target.name() + ": " + libvirt.no().get(target.id()));
        }
        if (!why.isEmpty()) {
            return RuleResult.fail(rule, String.join("; ", why));
        }
        boolean confirmed = libvirt != null && libvirt.yes().contains(target.id());
        return RuleResult.pass(rule, passed + (confirmed ? "; libvirt on " + target.name() + " " + libvirtPassed : ""));
    }

    private static Set<Long> missing(Set<Long> needed, Set<Long> available) {
        Set<Long> out = new TreeSet<>(needed);
        out.removeAll(available);
        return out;
    }
}
