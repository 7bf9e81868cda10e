package dev.ferry.inventory.precheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.inventory.api.Rule;
import dev.ferry.inventory.api.RuleResult;
import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.precheck.MigrationFacts.HostFacts;
import dev.ferry.inventory.precheck.MigrationFacts.HostLibvirt;
import dev.ferry.inventory.precheck.MigrationFacts.LibvirtGuest;
import dev.ferry.inventory.precheck.MigrationFacts.PeerAnswers;
import dev.ferry.inventory.precheck.MigrationFacts.VmFacts;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class PreChecksTest {
    private static final long GIB = 1L << 30;

    static HostFacts host(long id, String vendor, int family, String model, boolean up, long freeGib) {
        return new HostFacts(id, "hv-" + id, up, up ? "UP" : "MAINTENANCE", vendor, family, model,
                Set.of("sse4_2", "avx"), 64 * GIB, 64, (64 - freeGib) * GIB, 8, Set.of(10L), Set.of(20L));
    }

    static final VmFacts VM = new VmFacts(1, "web-1", true, 1, 4 * GIB, 2, Set.of(10L), Set.of(20L));
    static final HostFacts SOURCE = host(1, "GenuineIntel", 6, "Intel Xeon 5130", true, 32);
    static final Instant SYNCED = Instant.parse("2026-12-02T05:00:00Z");

    /** The source as a libvirt host whose last probe at SYNCED was answered, or not ({@code unreachable}). */
    static HostFacts libvirtSource(String unreachable) {
        HostFacts h = SOURCE;
        return new HostFacts(h.id(), h.name(), h.up(), h.state(), h.cpuVendor(), h.cpuFamily(), h.cpuModelName(), h.cpuFlags(),
                h.allocatableMemoryBytes(), h.allocatableVcpus(), h.usedMemoryBytes(), h.usedVcpus(), h.reachablePoolIds(),
                h.carriedNetworkIds(), new HostLibvirt("qemu+tls://hv-1/system", SYNCED, unreachable));
    }

    static RuleResult rule(Verdict v, Rule code) {
        return v.rules().stream().filter(r -> r.code() == code).findFirst().orElseThrow();
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("Xeon 5120 target of a Xeon 5130 source: speed differs, compatible",
                        host(2, "GenuineIntel", 6, "Intel Xeon 5120", true, 32), Set.of()),
                Arguments.of("AMD target of an Intel source",
                        host(2, "AuthenticAMD", 15, "AMD Opteron 2218", true, 32), Set.of(Rule.CPU_VENDOR, Rule.CPU_FAMILY)),
                Arguments.of("same vendor, other family",
                        host(2, "GenuineIntel", 15, "Intel Pentium 4", true, 32), Set.of(Rule.CPU_FAMILY)),
                Arguments.of("target in maintenance",
                        host(2, "GenuineIntel", 6, "Intel Xeon 5130", false, 32), Set.of(Rule.TARGET_UP)),
                Arguments.of("target without room",
                        host(2, "GenuineIntel", 6, "Intel Xeon 5130", true, 2), Set.of(Rule.MEMORY_CAPACITY)),
                Arguments.of("target is the current host",
                        host(1, "GenuineIntel", 6, "Intel Xeon 5130", true, 32), Set.of(Rule.NOT_CURRENT_HOST)),
                Arguments.of("target neither reaches the storage nor carries the network",
                        new HostFacts(2, "hv-2", true, "UP", "GenuineIntel", 6, "Intel Xeon 5130", Set.of(), 64 * GIB, 64, 0, 0,
                                Set.of(), Set.of()), Set.of(Rule.STORAGE_REACHABLE, Rule.NETWORKS_CARRIED)),
                Arguments.of("target short of vCPUs",
                        new HostFacts(2, "hv-2", true, "UP", "GenuineIntel", 6, "Intel Xeon 5130", Set.of(), 64 * GIB, 4, 0, 3,
                                Set.of(10L), Set.of(20L)), Set.of(Rule.CPU_CAPACITY)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reportsExactlyTheRulesThatFail(String name, HostFacts target, Set<Rule> expectedFailures) {
        Verdict verdict = PreChecks.evaluate(VM, SOURCE, target);

        assertThat(verdict.failed()).extracting(RuleResult::code).containsExactlyInAnyOrderElementsOf(expectedFailures);
        assertThat(verdict.compatible()).isEqualTo(expectedFailures.isEmpty());
        assertThat(verdict.rules()).hasSize(Rule.values().length);
    }

    /** web-1 runs on hv-1 with the rules given; hv-2 and hv-3 are otherwise good targets. */
    static VmFacts bound(MigrationFacts.PlacementFacts... rules) {
        return VM.withPlacement(java.util.List.of(rules));
    }

    static MigrationFacts.Member member(long id, long host, Long movingTo) {
        return new MigrationFacts.Member(id, "web-" + id, host, "hv-" + host, movingTo, movingTo == null ? null : "hv-" + movingTo);
    }

    static final HostFacts HV2 = host(2, "GenuineIntel", 6, "Intel Xeon 5130", true, 32);
    static final HostFacts HV3 = host(3, "GenuineIntel", 6, "Intel Xeon 5130", true, 32);

    @Test
    void apartRulesRefuseAHostWhereAnotherMemberRunsOrIsMovingAndNameTheRule() {
        var apart = new MigrationFacts.PlacementFacts("web-apart", dev.ferry.inventory.api.PlacementKind.APART,
                java.util.List.of(member(2, 2, null), member(3, 1, 3L)), java.util.Map.of());

        assertThat(rule(PreChecks.evaluate(bound(apart), SOURCE, HV2), Rule.VM_ANTI_AFFINITY).message())
                .isEqualTo("placement rule 'web-apart' keeps VM web-1 apart from web-2, which runs on hv-2");
        assertThat(PreChecks.evaluate(bound(apart), SOURCE, HV3).failed()).extracting(RuleResult::code)
                .containsExactly(Rule.VM_ANTI_AFFINITY); // web-3 is on its way there
        assertThat(rule(PreChecks.evaluate(bound(apart), SOURCE, HV3), Rule.VM_ANTI_AFFINITY).message()).endsWith("is moving to hv-3");
        var elsewhere = new MigrationFacts.PlacementFacts("web-apart", dev.ferry.inventory.api.PlacementKind.APART,
                java.util.List.of(member(2, 4, null)), java.util.Map.of());
        assertThat(PreChecks.evaluate(bound(elsewhere), SOURCE, HV2).compatible()).isTrue();
    }

    @Test
    void aTogetherGroupMovesOneVmAtATimeAndTheOthersMayOnlyFollow() {
        // db-2 runs beside db-1: db-1 may lead anywhere, db-2 follows later
        var beside = new MigrationFacts.PlacementFacts("db-pair", dev.ferry.inventory.api.PlacementKind.TOGETHER,
                java.util.List.of(member(2, 1, null)), java.util.Map.of());
        assertThat(PreChecks.evaluate(bound(beside), SOURCE, HV2).compatible()).isTrue();
        assertThat(PreChecks.evaluate(bound(beside), SOURCE, HV3).compatible()).isTrue();
        // db-2 leads to hv-2: only hv-2 is open to db-1
        var led = new MigrationFacts.PlacementFacts("db-pair", dev.ferry.inventory.api.PlacementKind.TOGETHER,
                java.util.List.of(member(2, 1, 2L)), java.util.Map.of());
        assertThat(PreChecks.evaluate(bound(led), SOURCE, HV2).compatible()).isTrue();
        assertThat(rule(PreChecks.evaluate(bound(led), SOURCE, HV3), Rule.VM_AFFINITY).message())
                .isEqualTo("placement rule 'db-pair' keeps VM web-1 with web-2, which is moving to hv-2, not on hv-3");
        // the group apart already (web-2 on hv-3): web-1 may only join it
        var split = new MigrationFacts.PlacementFacts("db-pair", dev.ferry.inventory.api.PlacementKind.TOGETHER,
                java.util.List.of(member(2, 3, null)), java.util.Map.of());
        assertThat(PreChecks.evaluate(bound(split), SOURCE, HV3).compatible()).isTrue();
        assertThat(PreChecks.evaluate(bound(split), SOURCE, HV2).failed()).extracting(RuleResult::code).containsExactly(Rule.VM_AFFINITY);
    }

    @Test
    void anOnHostsRuleAdmitsOnlyItsHosts() {
        var licensed = new MigrationFacts.PlacementFacts("licensed", dev.ferry.inventory.api.PlacementKind.ON_HOSTS,
                java.util.List.of(), new java.util.LinkedHashMap<>(java.util.Map.of(1L, "hv-1", 3L, "hv-3")));
        assertThat(PreChecks.evaluate(bound(licensed), SOURCE, HV3).compatible()).isTrue();
        assertThat(rule(PreChecks.evaluate(bound(licensed), SOURCE, HV2), Rule.HOST_AFFINITY).message())
                .startsWith("placement rule 'licensed' keeps VM web-1 on ").endsWith(" only, not hv-2").contains("hv-1", "hv-3");
        assertThat(rule(PreChecks.evaluate(VM, SOURCE, HV2), Rule.HOST_AFFINITY).message()).isEqualTo("no ON_HOSTS placement rule names VM web-1");
    }

    @Test
    void everyFailureSaysWhyInWords() {
        Verdict verdict = PreChecks.evaluate(VM, SOURCE, host(2, "AuthenticAMD", 15, "AMD Opteron 2218", false, 1));

        assertThat(verdict.failed()).allSatisfy(r -> assertThat(r.message()).isNotBlank());
        assertThat(verdict.failed()).filteredOn(r -> r.code() == Rule.CPU_VENDOR).first()
                .extracting(RuleResult::message).asString().contains("GenuineIntel").contains("AuthenticAMD");
    }

    @Test
    void aVmThatUsesAvx2RefusesATargetWithoutIt() {
        var avx2 = new VmFacts(1, "hpc-1", true, 1, 4 * GIB, 2, Set.of(10L), Set.of(20L), null, null, Set.of("avx", "avx2"));
        Verdict verdict = PreChecks.evaluate(avx2, SOURCE, host(2, "GenuineIntel", 6, "Intel Xeon 5120", true, 32));

        assertThat(verdict.failed()).extracting(RuleResult::code).containsExactly(Rule.CPU_FEATURES);
        assertThat(verdict.failed().get(0).message()).contains("avx2").doesNotContain("sse4_2");
    }

    @Test
    void aVmsOwnCpuRequirementWinsOverItsCurrentHost() {
        // The VM runs on an Intel host but was defined for family 15: an Intel family-6 target is refused.
        var pinned = new VmFacts(1, "legacy-1", true, 1, 4 * GIB, 2, Set.of(10L), Set.of(20L), "GenuineIntel", 15, Set.of());
        Verdict verdict = PreChecks.evaluate(pinned, SOURCE, host(2, "GenuineIntel", 6, "Intel Xeon 5120", true, 32));

        assertThat(verdict.failed()).extracting(RuleResult::code).containsExactly(Rule.CPU_FAMILY);
        assertThat(verdict.failed().get(0).message()).contains("required by the VM");
    }

    @Test
    void stoppedVmIsRefused() {
        var stopped = new VmFacts(1, "web-1", false, 1, 4 * GIB, 2, Set.of(10L), Set.of(20L));
        Verdict verdict = PreChecks.evaluate(stopped, SOURCE, host(2, "GenuineIntel", 6, "Intel Xeon 5120", true, 32));
        assertThat(verdict.failed()).extracting(RuleResult::code).containsExactly(Rule.VM_RUNNING);
    }

    @Test
    void aGuestThatPassesTheFamilyRuleButWhoseCpuLibvirtRefusesOnTheTargetIsRefused() {
        var target = host(2, "GenuineIntel", 6, "Intel Xeon 5120", true, 32);
        var asked = VM.withLibvirt(new LibvirtGuest(true, new PeerAnswers(Set.of(3L),
                Map.of(2L, "the CPU is incompatible with host CPU: Host CPU does not provide required features: avx512f")),
                PeerAnswers.NONE, PeerAnswers.NONE, SYNCED));

        Verdict refused = PreChecks.evaluate(asked, SOURCE, target);

        assertThat(refused.failed()).extracting(RuleResult::code).containsExactly(Rule.LIBVIRT_CPU);
        assertThat(refused.failed().get(0).message()).contains("hv-2").contains("avx512f");
        // the family rule alone lets it through: that is what libvirt's comparison adds
        assertThat(refused.rules()).filteredOn(r -> r.code() == Rule.CPU_FAMILY).allMatch(RuleResult::passed);
        assertThat(PreChecks.evaluate(asked, SOURCE, host(3, "GenuineIntel", 6, "Intel Xeon 5130", true, 32)).failed()).isEmpty();
        // where nobody asked libvirt, the rule passes and says so
        RuleResult notAsked = PreChecks.evaluate(VM, SOURCE, target).rules().stream().filter(r -> r.code() == Rule.LIBVIRT_CPU)
                .findFirst().orElseThrow();
        assertThat(notAsked.passed()).isTrue();
        assertThat(notAsked.message()).startsWith("not asked");
    }

    @Test
    void theSourcesLibvirtMustRunTheGuestWhenItWasAsked() {
        var target = host(2, "GenuineIntel", 6, "Intel Xeon 5120", true, 32);
        var running = VM.withLibvirt(new LibvirtGuest(true, PeerAnswers.NONE, PeerAnswers.NONE, PeerAnswers.NONE, SYNCED));
        var shutOff = VM.withLibvirt(new LibvirtGuest(false, PeerAnswers.NONE, PeerAnswers.NONE, PeerAnswers.NONE, SYNCED));

        assertThat(PreChecks.evaluate(running, libvirtSource(null), target).failed()).isEmpty();
        Verdict absent = PreChecks.evaluate(VM, libvirtSource(null), target);
        assertThat(absent.failed()).extracting(RuleResult::code).containsExactly(Rule.GUEST_ON_SOURCE);
        assertThat(absent.failed().get(0).message()).contains("no guest named web-1").contains("POST /hosts/1/probe");
        assertThat(PreChecks.evaluate(shutOff, libvirtSource(null), target).failed()).extracting(RuleResult::message)
                .singleElement().asString().contains("defined on hv-1 but not running");
        assertThat(PreChecks.evaluate(running, libvirtSource("connection refused"), target).failed()).extracting(RuleResult::message)
                .singleElement().asString().contains("did not answer its last probe (connection refused)");
        // a host not managed through libvirt is not asked: inventory's word stands
        assertThat(rule(PreChecks.evaluate(VM, SOURCE, target), Rule.GUEST_ON_SOURCE).message()).startsWith("not asked");
    }

    @Test
    void libvirtOnTheTargetMustFindTheDisksAndNetworksWhereItWasAsked() {
        var target = host(2, "GenuineIntel", 6, "Intel Xeon 5120", true, 32);
        var refused = VM.withLibvirt(new LibvirtGuest(true, PeerAnswers.NONE,
                new PeerAnswers(Set.of(3L), Map.of(2L, "no active storage pool holds disk /var/lib/ferry/web-1.qcow2")),
                new PeerAnswers(Set.of(3L), Map.of(2L, "no libvirt network tenant-a")), SYNCED));

        // inventory's links say the target reaches pool 10 and carries network 20; libvirt on it says otherwise
        Verdict verdict = PreChecks.evaluate(refused, SOURCE, target);
        assertThat(verdict.failed()).extracting(RuleResult::code).containsExactly(Rule.STORAGE_REACHABLE, Rule.NETWORKS_CARRIED);
        assertThat(rule(verdict, Rule.STORAGE_REACHABLE).message()).contains("libvirt on hv-2").contains("/var/lib/ferry/web-1.qcow2");
        assertThat(rule(verdict, Rule.NETWORKS_CARRIED).message()).contains("tenant-a");
        // a host that answered yes passes, and the message says libvirt confirmed it
        Verdict confirmed = PreChecks.evaluate(refused, SOURCE, host(3, "GenuineIntel", 6, "Intel Xeon 5120", true, 32));
        assertThat(confirmed.failed()).isEmpty();
        assertThat(rule(confirmed, Rule.STORAGE_REACHABLE).message()).contains("libvirt on hv-3 finds every disk");
        // both refusals at once: inventory's and libvirt's reasons are given together
        var unlinked = new HostFacts(2, "hv-2", true, "UP", "GenuineIntel", 6, "Intel Xeon 5120", Set.of(), 64 * GIB, 64, 0, 0,
                Set.of(), Set.of(20L));
        assertThat(rule(PreChecks.evaluate(refused, SOURCE, unlinked), Rule.STORAGE_REACHABLE).message())
                .contains("cannot reach storage pool(s) [10]").contains("no active storage pool holds disk");
    }
}
