package dev.ferry.worker.libvirt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.HostProbe;
import dev.ferry.events.HostReport;
import dev.ferry.model.engine.Controls;
import dev.ferry.model.engine.FerryPolicy;
import dev.ferry.model.engine.GuestLocation;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.RoundRecord;
import dev.ferry.platform.LibvirtHost;
import dev.ferry.platform.Pki;
import dev.ferry.platform.Trees;
import dev.ferry.testsupport.TestGuest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.libvirt.Connect;

/**
 * The libvirt driver's migration between two real libvirt daemons on this machine (two "hosts", LibvirtHost), moving
 * Ferry's test guest under TCG; its memory is checked on the destination by the guest itself (its heartbeat counts
 * on, with no bad page). hv-b listens on TLS only, with throwaway certificates (Pki): every move, probe and question
 * to it goes through a TLS handshake. Missing libvirt or the guest is a failure, not a skip.
 *
 * <p>Booting a guest under TCG costs seconds, so one resident guest (24 MiB/s of writes) serves three scenarios in
 * order: a cancel (it stays on hv-a), a probe (read-only), then a job whose worker died, adopted (it ends on hv-b).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LibvirtMigrationTest {
    /** The guest the ordered scenarios share; booted by the first of them. */
    static final String RESIDENT = "ferry-resident";
    static boolean residentBooted;

    static void resident() throws Exception {
        if (!residentBooted) {
            boot(RESIDENT, 24);
            residentBooted = true;
        }
    }

    static final Path ROOT = Path.of(System.getProperty("ferry.root", "..")).toAbsolutePath().normalize();
    static final Path DIR = ROOT.resolve("migration-worker/target/libvirt-hosts");
    static LibvirtHost a;
    static LibvirtHost b;

    @BeforeAll
    static void startHosts() throws Exception {
        Trees.delete(DIR);
        a = LibvirtHost.start(DIR.resolve("a"), "hv-a", 0, false);
        // hv-b as a real fleet's host: TLS only, admitting the test CA's client certificate (hv-a's libvirtd presents
        // the same one when it migrates peer-to-peer to hv-b)
        b = LibvirtHost.start(DIR.resolve("b"), "hv-b", 1, false, Pki.create(DIR.resolve("pki")));
    }

    @AfterAll
    static void stopHosts() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    /** Defines and starts the guest on host a, and waits for its heartbeat. */
    static void boot(String name, int dirtyMibPerSecond) throws Exception {
        TestGuest.Spec spec = TestGuest.Spec.built(ROOT.resolve(".ferry/guest"), null, 256, dirtyMibPerSecond, 96);
        Connect c = new Connect(a.uri());
        try {
            c.domainDefineXML(TestGuest.domainXml(spec, name, "/var/log/libvirt/qemu/" + name + ".serial")).create();
        } finally {
            c.close();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (TestGuest.heartbeats(serial(a, name)).size() < 5) {
            assertThat(System.nanoTime()).as("guest %s booted on hv-a", name).isLessThan(deadline);
            Thread.sleep(200);
        }
    }

    static Path serial(LibvirtHost host, String name) {
        return host.logDir().resolve("qemu").resolve(name + ".serial");
    }

    static LibvirtMigration migration(String name, double capBytesPerSecond, MigrationLimits limits) {
        return new LibvirtMigration(new LibvirtMigration.Endpoints(a.uri(), b.uri(), "tcp://127.0.0.1", name), new FerryPolicy(),
                new MigrationContext(256L << 20, limits, capBytesPerSecond, 0.002), Duration.ofSeconds(30));
    }

    @Test
    void aRunningGuestMovesAsAPersistentDomainAndItsHeartbeatGoesOnOnTheDestination() throws Exception {
        String name = "ferry-move";
        boot(name, 20);
        List<RoundRecord> reported = new ArrayList<>();
        var limits = MigrationLimits.defaults(300).withBandwidthCap(32 << 20);

        MigrationResult result = migration(name, 32 << 20, limits).run(recording(reported));

        assertThat(result.outcome()).as(result.reason()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        // one record per libvirt iteration, in order, ending with the stop-and-copy
        assertThat(reported).extracting(RoundRecord::round)
                .containsExactlyElementsOf(IntStream.rangeClosed(1, reported.size()).boxed().toList());
        assertThat(reported.get(reported.size() - 1).kind()).isEqualTo(RoundRecord.Kind.STOP_AND_COPY);
        assertThat(reported.size()).isGreaterThanOrEqualTo(2);
        assertThat(result.bytesSent()).isGreaterThan(100L << 20);
        assertThat(result.totalTimeMillis()).isPositive();
        var where = LibvirtMigration.locate(a.uri(), b.uri(), name);
        assertThat(where.where()).as(where.why()).isEqualTo(GuestLocation.DESTINATION);
        Connect src = new Connect(a.uri());
        Connect dst = new Connect(b.uri());
        try {
            assertThat(Arrays.asList(src.listDefinedDomains())).doesNotContain(name); // undefined on the source
            assertThat(dst.domainLookupByName(name).isPersistent()).isEqualTo(1); // defined on the destination
        } finally {
            src.close();
            dst.close();
        }
        TestGuest.awaitContinuation(serial(a, name), serial(b, name), 10, Duration.ofSeconds(30));
    }

    @Test
    @Order(1)
    void aCancelMidWayLeavesTheGuestRunningOnTheSource() throws Exception {
        String name = RESIDENT;
        resident();
        List<RoundRecord> reported = new ArrayList<>();
        long cancelAt = System.nanoTime() + 2_000_000_000L; // mid-way through round 1 (16 MiB/s: about 10 s)
        Controls cancelling = new Controls() {
            @Override
            public boolean cancelRequested() {
                return System.nanoTime() > cancelAt;
            }

            @Override
            public void roundCompleted(RoundRecord round) {
                reported.add(round);
            }
        };

        MigrationResult result = migration(name, 16 << 20, MigrationLimits.defaults(300).withBandwidthCap(16 << 20)).run(cancelling);

        assertThat(result.outcome()).as(result.reason()).isEqualTo(MigrationResult.Outcome.CANCELLED);
        var where = LibvirtMigration.locate(a.uri(), b.uri(), name);
        assertThat(where.where()).as(where.why()).isEqualTo(GuestLocation.SOURCE);
        int before = TestGuest.heartbeats(serial(a, name)).size();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<TestGuest.Heartbeat> after = TestGuest.heartbeats(serial(a, name));
        while (after.size() < before + 3) { // the guest still beats on the source, a heartbeat a second
            assertThat(System.nanoTime()).as("heartbeats on hv-a after the cancel").isLessThan(deadline);
            Thread.sleep(200);
            after = TestGuest.heartbeats(serial(a, name));
        }
        assertThat(after.get(after.size() - 1).bad()).isZero();
        assertThat(Files.exists(serial(b, name)) ? TestGuest.heartbeats(serial(b, name)) : List.of()).isEmpty();
    }

    @Test
    void postCopyFinishesAGuestTheLinkCannotCatchWhenThrottlingIsForbidden() throws Exception {
        String name = "ferry-postcopy";
        boot(name, 200);
        List<RoundRecord> reported = new ArrayList<>();
        var limits = MigrationLimits.defaults(300).withBandwidthCap(32 << 20).withMaxThrottle(0).withPostCopy(true).withDeadline(60);

        MigrationResult result = migration(name, 32 << 20, limits).run(recording(reported));

        assertThat(result.outcome()).as(result.reason()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        assertThat(result.postCopy()).isTrue();
        assertThat(reported).anySatisfy(r -> assertThat(r.decision() == null ? "" : r.decision().action().name()).isEqualTo("POST_COPY"));
        var where = LibvirtMigration.locate(a.uri(), b.uri(), name);
        assertThat(where.where()).as(where.why()).isEqualTo(GuestLocation.DESTINATION);
        TestGuest.awaitContinuation(serial(a, name), serial(b, name), 10, Duration.ofSeconds(30));
    }

    @Test
    @Order(3)
    void aJobWhoseWorkerWasKilledIsFoundRunningInLibvirtAndAdoptedToItsEnd() throws Exception {
        String name = RESIDENT;
        resident();
        // the worker that dies: a client driving the same peer-to-peer migration, killed -9 in its second pass
        Process dying = new ProcessBuilder("virsh", "-c", a.uri(), "migrate", "--live", "--p2p", "--persistent",
                "--undefinesource", "--abort-on-error", "--bandwidth", "32", "--migrateuri", "tcp://127.0.0.1", name, b.uri())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Connect src = new Connect(a.uri());
        long iteration;
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while ((iteration = LibvirtMigration.stats(src.domainLookupByName(name), 0).iteration()) < 2) {
                assertThat(System.nanoTime()).as("libvirt's second pass").isLessThan(deadline);
                Thread.sleep(100);
            }
            dying.destroyForcibly().waitFor();
            Thread.sleep(500);
            // what the next worker finds: the job goes on in the source's libvirtd without its client
            assertThat(LibvirtMigration.stats(src.domainLookupByName(name), 0).active()).isTrue();
        } finally {
            src.close();
        }
        List<RoundRecord> reported = new ArrayList<>();

        MigrationResult result = migration(name, 32 << 20, MigrationLimits.defaults(300).withBandwidthCap(32 << 20))
                .run(recording(reported));

        assertThat(result.outcome()).as(result.reason()).isEqualTo(MigrationResult.Outcome.SUCCEEDED);
        // the adopter's rounds go on from libvirt's pass count, not from 1: the first passes were the dead worker's
        assertThat(reported).isNotEmpty();
        assertThat(reported.get(0).round()).isGreaterThanOrEqualTo((int) iteration);
        assertThat(reported).extracting(RoundRecord::round)
                .containsExactlyElementsOf(IntStream.range(0, reported.size()).mapToObj(i -> reported.get(0).round() + i).toList());
        var where = LibvirtMigration.locate(a.uri(), b.uri(), name);
        assertThat(where.where()).as(where.why()).isEqualTo(GuestLocation.DESTINATION);
        TestGuest.awaitContinuation(serial(a, name), serial(b, name), 5, Duration.ofSeconds(30));
    }

    @Test
    @Order(2)
    void aProbeReportsWhatTheHostIsAndRunsAndWhichPeersCanRunEachGuestsCpu() throws Exception {
        String name = RESIDENT;
        resident();
        HostProbe probe = new HostProbe("probe-1", 1, a.uri(), List.of(new HostProbe.Peer(2, b.uri()),
                new HostProbe.Peer(3, "qemu+tcp://127.0.0.1:1/system")), Instant.now());

        HostReport report = LibvirtProbe.probe(probe, Instant.now());

        assertThat(report.reachable()).as(report.error()).isTrue();
        assertThat(report.hostname()).isEqualTo("hv-a");
        // what this machine's CPU is, as /proc/cpuinfo says it: the same facts an operator used to type in
        String cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        assertThat(report.cpu().family()).isEqualTo(Integer.parseInt(field(cpuinfo, "cpu family")));
        assertThat(report.cpu().modelNumber()).isEqualTo(Integer.parseInt(field(cpuinfo, "model")));
        assertThat(report.cpu().features()).isNotEmpty();
        assertThat(report.memoryBytes()).isGreaterThan(1L << 30);
        assertThat(report.hypervisorVersion()).startsWith("QEMU 10.");
        var guest = report.guests().stream().filter(g -> g.name().equals(name)).findFirst().orElseThrow();
        assertThat(guest.running()).isTrue();
        assertThat(guest.memoryBytes()).isEqualTo(256L << 20);
        // hv-b's QEMU can run the guest's CPU; the third peer cannot be asked, so it is in neither list
        assertThat(guest.cpuRunsOn()).containsExactly(2L);
        assertThat(guest.cpuRefusedBy()).isEmpty();

        // a CPU definition TCG cannot offer (AVX-512): libvirt's comparison on hv-b refuses it, with its reason
        var avx512 = LibvirtXml.guestCpu("<domain type='qemu'><os><type arch='x86_64' machine='q35'>hvm</type></os>"
                + "<cpu mode='custom' match='exact'><model>Skylake-Server</model><feature policy='require' name='avx512f'/></cpu></domain>");
        Connect dst = new Connect(b.uri());
        try {
            var verdict = LibvirtNative.compareHypervisorCpu(dst, avx512);
            assertThat(verdict.runs()).isFalse();
            assertThat(verdict.reason()).containsIgnoringCase("incompatible");
            assertThat(LibvirtNative.compareHypervisorCpu(dst, LibvirtXml.guestCpu("<domain type='qemu'/>")).runs()).isTrue();
        } finally {
            dst.close();
        }

        HostReport gone = LibvirtProbe.probe(new HostProbe("probe-2", 3, "qemu+tcp://127.0.0.1:1/system", List.of(), Instant.now()),
                Instant.now());
        assertThat(gone.reachable()).isFalse();
        assertThat(gone.error()).contains("127.0.0.1:1");
    }

    private static String field(String cpuinfo, String name) {
        return cpuinfo.lines().filter(l -> l.startsWith(name)).findFirst().orElseThrow().split(":")[1].trim();
    }

    static Controls recording(List<RoundRecord> into) {
        return new Controls() {
            @Override
            public void roundCompleted(RoundRecord round) {
                into.add(round);
            }
        };
    }
}
