package dev.ferry.inventory;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Inventory settings: the defaults a host or a reservation gets when its request names none. */
@ConfigMapping(prefix = "ferry.inventory")
public interface InventoryConfig {

    /** How long a destination hold lasts when the request names no ttl; it outlives any sane migration. */
    @WithDefault("PT1H")
    Duration reservationTtl();

    /** How often expired holds are swept (read by the @Scheduled expression); expired ones stop counting at once. */
    @WithDefault("30s")
    String reservationSweepInterval();

    /**
     * A reservation that ended (committed or released) this long ago is deleted. At least
     * {@code ferry.messaging.consumed-retention}, so that a replayed outcome still finds the hold it ends.
     */
    @WithDefault("P30D")
    Duration historyRetention();

    /** The fleet's audit trail (fleet changes) is kept this long: 30 days, as oVirt keeps its events. */
    @WithDefault("P30D")
    Duration auditRetention();

    /** Memory overcommit of a host that names none: none, since a migrating VM must fit. */
    @WithDefault("1.0")
    double defaultMemoryOvercommit();

    /** vCPU overcommit of a host that names none: 4 vCPUs per core, CloudStack's default. */
    @WithDefault("4.0")
    double defaultCpuOvercommit();

    /** Migrations a host receives at once when it names no limit: oVirt/VDSM's default. */
    @WithDefault("2")
    int defaultMaxInboundMigrations();

    /** Migrations that leave a host at once when it names no limit: oVirt/VDSM's default. */
    @WithDefault("2")
    int defaultMaxOutboundMigrations();

    /**
     * How often every host with a libvirt URI is probed again (the sync): its facts refreshed, its guests compared with
     * inventory. Every replica ticks; each host is claimed by one of them per interval (host.probe_sent_at).
     */
    @WithDefault("5m")
    String hostSyncInterval();

    /**
     * How long a probe may wait for a worker's answer before it is raised (PROBE_UNANSWERED): no worker with the libvirt
     * driver running, or none reading host-probes. A worker gives up on a silent host itself after its probe timeout
     * (30 s) and reports it unreachable, so an answer later than this means no worker took the probe at all.
     */
    @WithDefault("2m")
    java.time.Duration probeAnswerTimeout();

    /** How often unanswered probes are looked for. */
    @WithDefault("30s")
    String probeWatchInterval();
}
