package dev.ferry.worker.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** Worker settings. */
@ConfigMapping(prefix = "ferry.worker")
public interface WorkerConfig {

    /** This worker's name in events; defaults to the host name and process id. */
    @WithDefault("auto")
    String id();

    /** Migrations one worker runs at once; more commands wait in Kafka (back-pressure). */
    @WithDefault("4")
    int maxConcurrentMigrations();

    /**
     * Simulated time to wall-clock time: 1.0 runs a round as long as the link would take (the demo),
     * 0.0 runs in virtual time (tests and benchmarks).
     */
    @WithDefault("1.0")
    double simulationTimeScale();

    /** Upper bound on publishing one event; a dead broker must not hang a migration forever. */
    @WithDefault("PT10S")
    Duration publishTimeout();

    /**
     * The hypervisor driver: "simulated" (the page-level simulator), "qemu" (real QEMU over QMP on this machine) or
     * "libvirt" (the hosts' libvirtd, at the URIs inventory holds for them).
     */
    @WithDefault("simulated")
    String driver();

    /**
     * Where the qemu driver finds each VM's QMP socket: {@code <run-dir>/host-<hostId>/vm-<vmId>.qmp}, on the source
     * host (the running guest) and on the destination (a QEMU started with -incoming defer). In this repository the
     * tests and the demo start those QEMUs; in a real fleet a host agent or libvirt does (see the worker's README).
     */
    @WithDefault(".ferry/qemu")
    String qemuRunDir();

    /**
     * How long the qemu and libvirt drivers wait for the hypervisor's next migration pass before they cancel (the VM
     * stays on the source). Its first name, {@code qemu-progress-timeout}, from when only QEMU had it, still works.
     */
    @WithDefault("${ferry.worker.qemu-progress-timeout:PT60S}")
    Duration progressTimeout();

    /**
     * The first name of {@link #progressTimeout()}, read only through it. Declared so that a deployment that still sets
     * it starts (Quarkus refuses a key under ferry.worker that no method maps).
     */
    @Deprecated
    Optional<Duration> qemuProgressTimeout();

    /** The convergence policy: ferry, or a reference policy (qemu-default, qemu-auto-converge, xen, ...). */
    @WithDefault("ferry")
    String policy();

    /** The simulated guest's workload: a name from the workload suite, or "auto" to pick one by VM id. */
    @WithDefault("auto")
    String simulatedWorkload();

    /**
     * The vCPU throttle ceiling when a command names none (QEMU's own ceiling). Ferry's policy keeps below it, to the
     * throttle whose vCPU sleeps fit half the downtime target (ThrottleSlice); the reference policies do not.
     */
    @WithDefault("99")
    int throttleCeilingPercent();

    /**
     * While a migration runs, a heartbeat at least this often: a long round must not look like a dead worker. The
     * claims are renewed twice as often (MigrationRunner.renewEveryMillis); keep it equal to the scheduler's
     * {@code ferry.scheduler.worker-heartbeat}, from which the lease is made.
     */
    @WithDefault("PT5S")
    Duration heartbeatInterval();

    /**
     * How long one event may wait for Kafka while the worker still holds the migration: a broker outage is waited out
     * this long (the migration pauses on it) before the migration is given up as failed (the VM stays on the source).
     */
    @WithDefault("PT2M")
    Duration publishPatience();

    /**
     * Where scheduler-service answers: the worker claims each migration there before it acts on the hypervisor. Several
     * replicas may be named, separated by commas; they are tried in turn.
     */
    @WithDefault("http://localhost:8082")
    String schedulerUrl();

    /**
     * How long one replica of the scheduler is waited for in a call (a claim, a release), before the next is asked. A
     * renewal waits at least this long in all, and longer while the claims it renews still hold (MigrationRunner).
     */
    @WithDefault("PT5S")
    Duration schedulerTimeout();

    /**
     * How long a START waits for the scheduler to answer its claim (the scheduler away) before the worker lets it go;
     * the scheduler's own SCHEDULED timeout (2 min) ends a migration nobody claimed.
     */
    @WithDefault("PT2M")
    Duration claimWait();

    /**
     * At SIGTERM, how long the worker lets its running migrations finish before it gives their claims back, so that
     * another worker takes them over (Kubernetes' default grace period is 30 s).
     */
    @WithDefault("PT20S")
    Duration shutdownGrace();

    /**
     * Upper bound on answering one host probe (discovery and sync): a host whose libvirtd does not answer within it is
     * reported unreachable, and the next probe is not held up behind it.
     */
    @WithDefault("PT30S")
    Duration probeTimeout();
}
