package dev.ferry.scheduler.rebalance;

import dev.ferry.events.Principal;
import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.VmView;
import dev.ferry.inventory.api.VmState;
import dev.ferry.scheduler.client.InventoryLists;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationPriority;
import dev.ferry.scheduler.model.TargetChoice;
import dev.ferry.scheduler.plan.GroupRules;
import dev.ferry.scheduler.plan.MeasuredLoad;
import dev.ferry.scheduler.plan.PlanRoom;
import dev.ferry.scheduler.plan.MoveTimeline;
import dev.ferry.scheduler.plan.RebalancePlanner;
import dev.ferry.scheduler.plan.RebalancePlanner.HostLoad;
import dev.ferry.scheduler.plan.RebalancePlanner.VmOnHost;
import dev.ferry.scheduler.service.DirtyHistory;
import dev.ferry.scheduler.service.DestinationLocks;
import dev.ferry.scheduler.service.Dispatcher;
import dev.ferry.scheduler.service.InventoryErrors;
import dev.ferry.scheduler.service.MigrationService;
import dev.ferry.scheduler.service.OffTheLoop;
import dev.ferry.scheduler.service.AttemptTraces;
import dev.ferry.scheduler.service.QueuedMigrations;
import dev.ferry.scheduler.service.SchedulerConfig;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Evens out a cluster (`plan/RebalancePlanner`): the cluster's UP hosts, what each holds (its VMs, and what the queued
 * migrations heading there will add), where each VM on a host above the mean may go by inventory's pre-checks, and
 * each move's forecast. A dry run answers the plan; otherwise its moves are queued at REBALANCE priority, after any
 * evacuation or operator's request. Optionally on a schedule, for the clusters configured, when the imbalance is over
 * a threshold.
 */
@ApplicationScoped
public class RebalanceService {
    private static final Logger LOG = Logger.getLogger(RebalanceService.class);

    @Inject
    InventoryApi inventory;

    @Inject
    SchedulerConfig config;

    @Inject
    AttemptTraces traces;

    @Inject
    DirtyHistory history;

    @Inject
    Dispatcher dispatcher;

    /** The plan for the cluster now, changing nothing. */
    public Uni<RebalancePlanView> preview(long clusterId) {
        return planned(clusterId).map(p -> RebalancePlanView.of(clusterId, playedOut(p), p.cpu(), null));
    }

    /**
     * Plans and queues the moves; a cluster whose last rebalance still has moves to make is not planned again. When
     * requests for the plan's destinations took the room it counted on while it was made, it is planned again, once.
     */
    public Uni<RebalancePlanView> rebalance(long clusterId, Principal by) {
        return Panache.withSession(() -> stillRunning(clusterId))
                .flatMap(x -> planAndQueue(clusterId, by, true))
                .onFailure(PlanRoom.Outdated.class).recoverWithUni(e -> {
                    LOG.infof("rebalance of cluster %d planned again: %s", clusterId, e.getMessage());
                    return planAndQueue(clusterId, by, false);
                })
                .invoke(v -> dispatcher.kick());
    }

    private Uni<RebalancePlanView> planAndQueue(long clusterId, Principal by, boolean check) {
        return planned(clusterId).flatMap(p -> {
            var played = playedOut(p); // before anything is queued: a plan that cannot be played queues nothing
            return queue(clusterId, p, by, check).map(ids -> RebalancePlanView.of(clusterId, played, p.cpu(), ids));
        });
    }

    /** 409 while the cluster's last rebalance has moves left (asked again under a lock when its moves are queued). */
    private static Uni<Void> stillRunning(long clusterId) {
        return Migration.count("targetChoice = ?1 and phase in ?2 and rebalanceClusterId = ?3", TargetChoice.REBALANCE,
                unfinished(), clusterId).invoke(pending -> {
                    if (pending > 0) {
                        throw ProblemException.conflict("rebalance-running", "cluster " + clusterId + " has " + pending
                                + " rebalancing migration(s) still to finish; ask again once they have");
                    }
                }).replaceWithVoid();
    }

    private static List<MigrationPhase> unfinished() {
        List<MigrationPhase> phases = new ArrayList<>(MigrationPhase.UNDER_WAY);
        phases.add(MigrationPhase.QUEUED);
        return phases;
    }

    /** On a schedule (off unless configured): each configured cluster whose imbalance is over the threshold. */
    @Scheduled(every = "${ferry.scheduler.rebalance.every:off}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> periodically() {
        return overThreshold(config.rebalance().clusters().orElse(List.of()), config.rebalance().threshold()).replaceWithVoid();
    }

    /**
     * What a scheduled pass does: rebalances, as {@link #SCHEDULE}, each of these clusters whose imbalance is over the
     * threshold and that a move would even out. A cluster that cannot be planned (inventory away, its last rebalance
     * still running) is skipped with a warning and tried again on the next pass; the others go on.
     *
     * @return the clusters rebalanced
     */
    public Uni<List<Long>> overThreshold(List<Long> clusters, double threshold) {
        List<Long> done = new ArrayList<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (long cluster : clusters) {
            chain = chain.call(() -> preview(cluster).flatMap(p -> p.imbalanceBefore() <= threshold || p.moves().isEmpty()
                                    ? Uni.createFrom().voidItem()
                                    : rebalance(cluster, SCHEDULE).invoke(v -> {
                                        done.add(cluster);
                                        LOG.infof("cluster %d rebalanced on schedule: imbalance %.3f to %.3f in %d move(s)",
                                                cluster, v.imbalanceBefore(), v.imbalanceAfter(), v.moves().size());
                                    }).replaceWithVoid())
                    .onFailure().invoke(e -> LOG.warnf("scheduled rebalance of cluster %d skipped: %s", cluster, e.getMessage()))
                    .onFailure().recoverWithNull());
        }
        return chain.replaceWith(done);
    }

    /** Who the scheduled rebalances are recorded as. */
    public static final Principal SCHEDULE = new Principal("ferry-scheduler", "scheduled rebalance");

    /** The plan's moves played out together from now, under the hosts' links and limits and the scheduler's slots. */
    private RebalancePlanner.PlayedOut playedOut(Planned p) {
        Map<Long, MoveTimeline.Host> hosts = new HashMap<>();
        p.hosts().values().forEach(h -> hosts.put(h.id(), new MoveTimeline.Host(h.linkBandwidthBytesPerSecond(),
                h.maxOutboundMigrations(), h.maxInboundMigrations())));
        return RebalancePlanner.playedOut(p.plan(), new ArrayList<>(p.models().values()), hosts,
                config.maxConcurrentMigrations(), config.defaultMaxDowntimeMillis(), config.forecastPolicy());
    }

    /**
     * The plan, what it was made from (to queue its moves), how the VMs' CPU use was known, the memory each destination
     * has left beyond the plan ({@link RebalancePlanner#slack}) and the migrations whose claims the plan counted.
     */
    record Planned(RebalancePlanner.Plan plan, Map<Long, HostView> hosts, Map<Long, VmView> vms, Map<Long, VmOnHost> models,
            MeasuredLoad.Summary cpu, Map<Long, Long> slack, Set<UUID> claimsRead) {
    }

    private Uni<Planned> planned(long clusterId) {
        return InventoryLists.hostsOf(inventory, clusterId)
                .flatMap(all -> {
                    List<HostView> up = all.stream().filter(h -> h.state() == HostState.UP).toList();
                    if (all.isEmpty()) {
                        throw ProblemException.notFound("Cluster", clusterId);
                    }
                    if (up.isEmpty()) {
                        throw ProblemException.conflict("no-host-up", "none of cluster " + clusterId + "'s " + all.size()
                                + " host(s) is UP: there is nothing to even out");
                    }
                    return Panache.withSession(() -> Migration.<Migration>list("phase in ?1", unfinished()))
                            .flatMap(unfinished -> loads(up, unfinished));
                })
                // inventory away at any step (hosts, their VMs, each VM's pre-checks): 503, nothing queued
                .onFailure().transform(e -> InventoryErrors.translate(e, "clusterId"));
    }

    /**
     * Every UP host's load as it will be once the migrations not yet finished are: its VMs (as inventory places them
     * now), plus those heading there, less those leaving, and the CPU its guests were measured to use
     * ({@link MeasuredLoad}). Then the VMs that may move (all where the load is measured, those on hosts above the mean
     * otherwise), but those a migration already moves, with where each may go.
     */
    private Uni<Planned> loads(List<HostView> up, List<Migration> unfinished) {
        Map<Long, Long> memoryDelta = new HashMap<>();
        Map<Long, Integer> vcpuDelta = new HashMap<>();
        Set<Long> moving = new HashSet<>();
        for (Migration m : unfinished) {
            moving.add(m.vmId);
            int vcpus = m.vcpus == null ? 0 : m.vcpus;
            memoryDelta.merge(m.sourceHostId, -m.memoryBytes, Long::sum);
            vcpuDelta.merge(m.sourceHostId, -vcpus, Integer::sum);
            memoryDelta.merge(m.targetHostId, m.memoryBytes, Long::sum);
            vcpuDelta.merge(m.targetHostId, vcpus, Integer::sum);
        }
        Map<Long, HostView> hosts = new HashMap<>();
        Map<Long, List<VmView>> vmsOn = new HashMap<>();
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (HostView h : up) {
            hosts.put(h.id(), h);
            chain = chain.call(() -> InventoryLists.vmsOn(inventory, h.id()).invoke(vms -> vmsOn.put(h.id(), vms)));
        }
        return chain.flatMap(x -> {
            MeasuredLoad.Result cpu = MeasuredLoad.of(vmsOn.values().stream().flatMap(List::stream)
                    .map(v -> new MeasuredLoad.Reading(v.id(), v.vcpus(), v.state() == VmState.RUNNING, v.cpuCoresUsed(),
                            v.cpuMeasuredAt())).toList(),
                    Instant.now(), config.rebalance().loadMaxAge());
            Map<Long, Double> cpuDelta = new HashMap<>();
            for (Migration m : unfinished) {
                // a VM on its way carries its CPU use with it (estimated when its source is not UP, so not listed)
                double cores = cpu.moving(m.vmId, m.vcpus == null ? 0 : m.vcpus);
                cpuDelta.merge(m.sourceHostId, -cores, Double::sum);
                cpuDelta.merge(m.targetHostId, cores, Double::sum);
            }
            List<HostLoad> loads = new ArrayList<>();
            for (HostView h : up) {
                long memory = vmsOn.get(h.id()).stream().mapToLong(VmView::memoryBytes).sum() + memoryDelta.getOrDefault(h.id(), 0L);
                int vcpus = vmsOn.get(h.id()).stream().mapToInt(VmView::vcpus).sum() + vcpuDelta.getOrDefault(h.id(), 0);
                double used = vmsOn.get(h.id()).stream().mapToDouble(v -> cpu.of(v.id())).sum() + cpuDelta.getOrDefault(h.id(), 0.0);
                loads.add(new HostLoad(h.id(), h.name(), h.memoryBytes() * h.memoryOvercommit(),
                        h.cpuSockets() * h.cpuCores() * h.cpuOvercommit(), memory, vcpus, h.linkBandwidthBytesPerSecond(),
                        cpu.summary().included() ? h.cpuSockets() * h.cpuCores() : 0, used));
            }
            Map<Long, VmView> vms = new HashMap<>();
            Map<Long, VmOnHost> models = new HashMap<>();
            Uni<Void> each = Uni.createFrom().voidItem();
            for (HostLoad l : loads) {
                // by measured load, every host's VMs: once busy guests have left a host, the plan may bring quiet ones
                // back from a host that was below the mean at the start. By allocation, those of hosts above the mean.
                if (!cpu.summary().included() && !l.aboveMean(loads)) {
                    continue;
                }
                for (VmView vm : vmsOn.get(l.hostId())) {
                    if (moving.contains(vm.id())) {
                        continue; // a migration already moves it
                    }
                    vms.put(vm.id(), vm);
                    each = each.call(() -> vmOnHost(vm, hosts.get(l.hostId()), cpu.of(vm.id())).invoke(v -> models.put(vm.id(), v)));
                }
            }
            long clusterId = up.get(0).clusterId();
            Set<UUID> claimsRead = new HashSet<>();
            unfinished.forEach(m -> claimsRead.add(m.id));
            return each.flatMap(y -> InventoryLists.placementRules(inventory, null, clusterId))
                    .flatMap(rules -> OffTheLoop.compute(() -> {
                        List<VmOnHost> candidates = new ArrayList<>(models.values());
                        RebalancePlanner.Plan plan = RebalancePlanner.plan(loads, candidates, config.rebalance().maxMoves(),
                                config.rebalance().minGain(), config.defaultMaxDowntimeMillis(), config.forecastPolicy(),
                                GroupRules.of(rules));
                        return new Planned(plan, hosts, vms, models, cpu.summary(), RebalancePlanner.slack(loads, plan, candidates),
                                claimsRead);
                    }));
        });
    }

    private Uni<VmOnHost> vmOnHost(VmView vm, HostView host, double cpuCoresUsed) {
        return history.modelFor(vm.id(), vm.memoryBytes(), host.linkBandwidthBytesPerSecond())
                .flatMap(dirty -> InventoryLists.read(inventory.candidates(vm.id())).map(candidates -> {
                    Set<Long> compatible = new HashSet<>();
                    candidates.stream().filter(c -> c.verdict().compatible()).forEach(c -> compatible.add(c.verdict().hostId()));
                    return new VmOnHost(vm.id(), vm.name(), host.id(), vm.memoryBytes(), vm.vcpus(), dirty, compatible, cpuCoresUsed);
                }));
    }

    /**
     * Queues the plan's moves under the cluster's rebalance lock and its destinations' room locks
     * ({@link DestinationLocks}), as a request is queued; when {@code check}, first fails with {@link PlanRoom.Outdated}
     * if migrations the plan did not count (queued or dispatched since it read them) now claim more memory on a
     * destination than the plan left there.
     */
    private Uni<List<UUID>> queue(long clusterId, Planned p, Principal by, boolean check) {
        Instant now = Instant.now();
        List<Migration> migrations = new ArrayList<>();
        for (RebalancePlanner.Move move : p.plan().moves()) {
            var target = new MigrationService.Target(p.hosts().get(move.toHostId()), TargetChoice.REBALANCE, String.format(
                    java.util.Locale.ROOT, "rebalance of cluster %d, move %d of %d: imbalance %.3f to %.3f", clusterId,
                    migrations.size() + 1, p.plan().moves().size(), p.plan().imbalanceBefore(), move.imbalanceAfter()));
            Migration m = MigrationService.queued(p.vms().get(move.vmId()), p.hosts().get(move.fromHostId()), target,
                    p.models().get(move.vmId()).dirty(), MigrationService.Asked.downtime(config.defaultMaxDowntimeMillis()),
                    MigrationPriority.REBALANCE, new MigrationService.Steering(config.forecastPolicy(),
                            config.defaultThrottleCeilingPercent()), now);
            m.rebalanceClusterId = clusterId;
            m.createdAt = now.plusMillis(migrations.size()); // the plan's order within the queue
            migrations.add(m);
        }
        // one rebalance of a cluster at a time, whichever replica or schedule asks: a lock for the cluster, then the check again
        return Panache.withTransaction(() -> Panache.getSession()
                        .flatMap(s -> s.createNativeQuery("SELECT 1 FROM (SELECT pg_advisory_xact_lock(:key)) AS locked").setParameter("key", REBALANCE_LOCK + clusterId)
                                .getSingleResult())
                        .call(() -> stillRunning(clusterId))
                        .call(() -> DestinationLocks.hold(p.slack().keySet()))
                        .call(() -> check ? stillFits(p) : Uni.createFrom().voidItem())
                        .call(() -> QueuedMigrations.enqueue(migrations, by, "{\"rebalanceClusterId\": " + clusterId + "}", traces, now)))
                .replaceWith(migrations.stream().map(m -> m.id).toList());
    }

    /** Fails with {@link PlanRoom.Outdated} when migrations the plan did not count take more than it left on a destination. */
    private static Uni<Void> stillFits(Planned p) {
        if (p.slack().isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Migration.<Migration>list("phase in ?1 and targetHostId in ?2", unfinished(), p.slack().keySet()).invoke(now -> {
            Map<Long, Long> since = new HashMap<>();
            now.stream().filter(m -> !p.claimsRead().contains(m.id)).forEach(m -> since.merge(m.targetHostId, m.memoryBytes, Long::sum));
            List<String> shortfalls = PlanRoom.shortfalls(p.slack(), since);
            if (!shortfalls.isEmpty()) {
                throw new PlanRoom.Outdated(shortfalls);
            }
        }).replaceWithVoid();
    }

    /** Advisory lock keys of rebalances: this plus the cluster's id (the leases use their own table, not these). */
    private static final long REBALANCE_LOCK = 0x5245_4241_4c00_0000L;

}
