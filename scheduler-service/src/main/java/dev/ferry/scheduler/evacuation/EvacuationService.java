package dev.ferry.scheduler.evacuation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.events.Principal;
import dev.ferry.inventory.api.HostState;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.HostStateChange;
import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.VmView;
import dev.ferry.scheduler.client.InventoryLists;
import dev.ferry.scheduler.client.InventoryRefusal;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Evacuation;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationPriority;
import dev.ferry.scheduler.model.PhaseTransition;
import dev.ferry.scheduler.model.TargetChoice;
import dev.ferry.scheduler.plan.EvacuationPlanner.VmToMove;
import dev.ferry.scheduler.plan.DestinationClaims;
import dev.ferry.scheduler.plan.EvacuationPlanner;
import dev.ferry.scheduler.plan.EvacuationEta;
import dev.ferry.scheduler.plan.EvacuationTimeline;
import dev.ferry.scheduler.plan.GroupRules;
import dev.ferry.scheduler.plan.PlacementRanking.Option;
import dev.ferry.scheduler.plan.PlanRoom;
import dev.ferry.scheduler.service.DirtyHistory;
import dev.ferry.scheduler.service.OffTheLoop;
import dev.ferry.scheduler.service.DestinationLocks;
import dev.ferry.scheduler.service.Dispatcher;
import dev.ferry.scheduler.service.InventoryErrors;
import dev.ferry.scheduler.service.MigrationService;
import dev.ferry.scheduler.service.AttemptTraces;
import dev.ferry.scheduler.service.QueuedMigrations;
import dev.ferry.scheduler.service.SchedulerConfig;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Evacuates a host: puts it into maintenance (so that nothing new lands on it), plans a migration for every
 * VM on it, queues them as EVACUATION priority under the host's outbound limit, and reports the VMs that
 * cannot go anywhere with the reason. Asking again while one runs returns the running one.
 */
@ApplicationScoped
public class EvacuationService {
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(EvacuationService.class);

    private static final ObjectMapper JSON = new ObjectMapper();

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

    public Uni<UUID> evacuate(long hostId, Principal by) {
        return host(hostId)
                .flatMap(host -> Panache.withSession(() -> Evacuation.<Evacuation>find("hostId = ?1 and state = ?2 order by createdAt desc",
                                hostId, "RUNNING").firstResult())
                        .flatMap(running -> running != null
                                ? stillRunning(running).flatMap(busy -> busy ? Uni.createFrom().item(running.id) : start(host, by))
                                : start(host, by)));
    }

    private static Uni<Boolean> stillRunning(Evacuation e) {
        return Panache.withSession(() -> Migration.count("evacuationId = ?1 and phase in ?2", e.id,
                List.of(MigrationPhase.QUEUED, MigrationPhase.SCHEDULED, MigrationPhase.RUNNING))).map(n -> n > 0);
    }

    /**
     * The plan an evacuation of the host would run now, changing nothing: the host stays in its state, nothing is
     * queued. (The real evacuation puts the host into maintenance first, so its own plan may differ a little.)
     */
    public Uni<EvacuationPlanView> preview(long hostId) {
        Map<Long, HostView> hosts = new HashMap<>();
        return host(hostId).flatMap(host -> {
            hosts.put(host.id(), host);
            return planned(host, hosts).map(p -> EvacuationPlanView.of(host, p.plan(), p.plannedAround()));
        });
    }

    private Uni<HostView> host(long hostId) {
        return inventory.host(hostId)
                .onFailure().transform(e -> e instanceof InventoryRefusal r && r.status() == 404 ? ProblemException.notFound("Host", hostId)
                        : InventoryErrors.translate(e, "hostId"));
    }

    private Uni<UUID> start(HostView host, Principal by) {
        Map<Long, HostView> hosts = new HashMap<>();
        hosts.put(host.id(), host);
        return inventory.changeHostState(host.id(), new HostStateChange(HostState.MAINTENANCE))
                .onFailure().transform(e -> InventoryErrors.translate(e, "hostId"))
                .flatMap(x -> planned(host, hosts))
                .flatMap(p -> persist(host, p, hosts, by, true))
                // requests for its destinations queued while it was planned took room it counted on: planned again, once
                // (a second such race is left to the dispatcher, which re-places a move whose destination is full)
                .onFailure(PlanRoom.Outdated.class).recoverWithUni(e -> {
                    LOG.infof("evacuation of host %d planned again: %s", host.id(), e.getMessage());
                    return planned(host, hosts).flatMap(p -> persist(host, p, hosts, by, false));
                })
                .invoke(id -> dispatcher.kick());
    }

    /**
     * The host's VMs, where each could go, the plan over them, and the migrations under way it shares links with;
     * {@code claimsReadAt}: a moment before the queued migrations' claims were read, and {@code queuedAtRead}: the
     * memory they claimed on each host then.
     */
    private record Planned(List<VmView> vms, List<VmToMove> toMove, EvacuationPlanner.Plan plan,
            List<EvacuationPlanView.PlannedAround> plannedAround, Instant claimsReadAt, Map<Long, Long> queuedAtRead) {
    }

    private Uni<Planned> planned(HostView host, Map<Long, HostView> hosts) {
        Instant claimsReadAt = Instant.now();
        Map<Long, Long> queuedAtRead = new HashMap<>();
        return InventoryLists.vmsOn(inventory, host.id())
                .flatMap(vms -> Panache.withSession(() -> Migration.<Migration>list("phase", MigrationPhase.QUEUED))
                        .invoke(queued -> queued.forEach(m -> queuedAtRead.merge(m.targetHostId, m.memoryBytes, Long::sum)))
                        .map(DestinationClaims::of).flatMap(claims -> {
                    Uni<List<VmToMove>> chain = Uni.createFrom().item(new ArrayList<>());
                    for (VmView vm : vms) {
                        chain = chain.flatMap(list -> vmToMove(vm, host, hosts, claims).map(v -> {
                            list.add(v);
                            return list;
                        }));
                    }
                    return chain.flatMap(list -> busy(host, Set.copyOf(hosts.keySet())).flatMap(busy -> InventoryLists.placementRules(inventory, host.id(), null)
                            .flatMap(rules -> OffTheLoop.compute(() -> new Planned(vms, list, EvacuationPlanner.plan(list,
                                    links(host, hosts, busy.model()), host.maxOutboundMigrations(), config.defaultMaxDowntimeMillis(),
                                    config.forecastPolicy(), GroupRules.of(rules)), busy.shown(), claimsReadAt, queuedAtRead)))));
                }))
                // inventory away at any step (the VMs, their candidates, their rules): 503, nothing queued
                .onFailure().transform(e -> InventoryErrors.translate(e, "hostId"));
    }

    /** The evacuated host's outbound link and limit, each destination's inbound link and limit, and what is under way on them. */
    private static EvacuationTimeline.Links links(HostView source, Map<Long, HostView> hosts, List<EvacuationTimeline.Busy> busy) {
        Map<Long, Double> link = new HashMap<>();
        Map<Long, Integer> inbound = new HashMap<>();
        hosts.values().forEach(h -> {
            link.put(h.id(), (double) h.linkBandwidthBytesPerSecond());
            inbound.put(h.id(), h.maxInboundMigrations());
        });
        return new EvacuationTimeline.Links(source.linkBandwidthBytesPerSecond(), link, inbound, source.maxOutboundMigrations(), busy);
    }

    /** The migrations under way a plan shares links with: as the link model takes them, and as the plan shows them. */
    private record UnderWay(List<EvacuationTimeline.Busy> model, List<EvacuationPlanView.PlannedAround> shown) {
    }

    /**
     * The migrations under way that leave the host or enter one of its VMs' destinations: each at the share of the
     * links the scheduler last sent it (its whole link when none was), until its ETA. The plan then shares the links
     * with them as the dispatcher and the link allocation will. One whose outcome is unknown counts too (it may still
     * be running on the hypervisor), and the plan says so.
     */
    private static Uni<UnderWay> busy(HostView source, Set<Long> destinations) {
        Instant now = Instant.now();
        return Panache.withSession(() -> Migration.<Migration>list("phase in ?1 and (sourceHostId = ?2 or targetHostId in ?3)",
                        MigrationPhase.UNDER_WAY, source.id(), destinations.isEmpty() ? Set.of(-1L) : destinations)
                .flatMap(under -> (under.isEmpty() ? Uni.createFrom().item(List.<PhaseTransition>of())
                        : PhaseTransition.<PhaseTransition>list("migrationId in ?1 and toPhase = ?2",
                                under.stream().map(m -> m.id).toList(), MigrationPhase.RUNNING))
                        .map(started -> {
                            Map<UUID, Instant> since = new HashMap<>();
                            started.forEach(t -> since.merge(t.migrationId, t.at, (a, b) -> a.isBefore(b) ? a : b));
                            List<EvacuationTimeline.Busy> model = new ArrayList<>();
                            List<EvacuationPlanView.PlannedAround> shown = new ArrayList<>();
                            for (Migration m : under) {
                                Long eta = m.etaMillis(since.get(m.id), now);
                                double rate = m.bandwidthCapBytesPerSecond != null ? m.bandwidthCapBytesPerSecond : m.linkBandwidthBytesPerSecond;
                                if (eta == null || eta <= 0 || !(rate > 0)) {
                                    continue; // no forecast or about to end: nothing to plan around
                                }
                                boolean leaves = m.sourceHostId == source.id();
                                model.add(new EvacuationTimeline.Busy(m.targetHostId, leaves, rate, eta / 1000.0));
                                shown.add(EvacuationPlanView.PlannedAround.of(m, leaves, Math.round(rate), eta));
                            }
                            return new UnderWay(model, shown);
                        })));
    }

    /** Where the VM could go: the compatible hosts with room left once the migrations queued for them are counted. */
    private Uni<VmToMove> vmToMove(VmView vm, HostView source, Map<Long, HostView> hosts, DestinationClaims claims) {
        return history.modelFor(vm.id(), vm.memoryBytes(), source.linkBandwidthBytesPerSecond())
                .flatMap(dirty -> InventoryLists.read(inventory.candidates(vm.id())).flatMap(candidates -> {
                    List<Candidate> compatible = new ArrayList<>();
                    Set<String> why = new LinkedHashSet<>();
                    for (Candidate c : candidates) {
                        if (c.verdict().compatible() && !claims.room(c).fits()) {
                            why.add(claims.room(c).shortfall());
                        } else if (c.verdict().compatible()) {
                            compatible.add(c);
                        } else {
                            // the rule and its sentence: an operator's placement rule is named by the sentence
                            c.verdict().failed().forEach(f -> why.add(c.verdict().hostName() + ": " + f.code() + " (" + f.message() + ")"));
                        }
                    }
                    Uni<List<Option>> options = Uni.createFrom().item(new ArrayList<>());
                    for (Candidate c : compatible) {
                        long target = c.verdict().hostId();
                        options = options.flatMap(list -> host(target, hosts).map(h -> {
                            list.add(new Option(target, h.name(), Math.min(source.linkBandwidthBytesPerSecond(),
                                    h.linkBandwidthBytesPerSecond()), claims.room(c).freeMemoryAfterBytes(), 0));
                            return list;
                        }));
                    }
                    String reason = candidates.isEmpty() ? "no other host in the cluster"
                            : "no compatible host with room left: " + String.join(", ", why);
                    return options.map(list -> new VmToMove(vm.id(), vm.name(), vm.memoryBytes(), dirty, list, reason));
                }));
    }

    private Uni<HostView> host(long id, Map<Long, HostView> cache) {
        HostView known = cache.get(id);
        return known != null ? Uni.createFrom().item(known) : inventory.host(id).invoke(h -> cache.put(id, h));
    }

    /**
     * Queues the plan's moves under the locks of their destinations' room ({@link DestinationLocks}), as a request is
     * queued; when {@code check}, first fails with {@link PlanRoom.Outdated} if the migrations claiming room there now take
     * more than they did when the plan read them, by more than the room the plan left ({@link PlanRoom}). Claims are
     * counted as a request's are: queued now, or dispatched there since the reading (its reservation not in what
     * inventory showed the plan); by which migrations they are, not when they were created, so a request stamped
     * before the reading but queued after it, or a move re-aimed there, counts.
     */
    private Uni<UUID> persist(HostView host, Planned p, Map<Long, HostView> hosts, Principal by, boolean check) {
        EvacuationPlanner.Plan plan = p.plan();
        Map<Long, VmToMove> byVm = new HashMap<>();
        p.toMove().forEach(v -> byVm.put(v.vmId(), v));
        Map<Long, Long> slack = PlanRoom.slack(plan.moves(), byVm);
        return queue(host, p.vms(), p.toMove(), plan, hosts, by, () -> !check || slack.isEmpty() ? Uni.createFrom().voidItem()
                : claimedNow(slack.keySet(), p.claimsReadAt()).invoke(now -> {
                    Map<Long, Long> since = new HashMap<>();
                    now.forEach((h, m) -> since.put(h, m - p.queuedAtRead().getOrDefault(h, 0L)));
                    List<String> shortfalls = PlanRoom.shortfalls(slack, since);
                    if (!shortfalls.isEmpty()) {
                        throw new PlanRoom.Outdated(shortfalls);
                    }
                }).replaceWithVoid());
    }

    /** Memory claimed on each of these hosts now: by migrations queued for it, or dispatched there since the reading. */
    private static Uni<Map<Long, Long>> claimedNow(java.util.Collection<Long> hosts, Instant readAt) {
        return Panache.getSession().flatMap(s -> s.createNativeQuery("SELECT target_host_id, sum(memory_bytes) FROM migration "
                        + "WHERE target_host_id IN (:h) AND (phase = 'QUEUED' OR (phase IN ('SCHEDULED', 'RUNNING', 'OUTCOME_UNKNOWN') "
                        + "AND id IN (SELECT t.migration_id FROM phase_transition t WHERE t.to_phase = 'SCHEDULED' AND t.at >= :t))) "
                        + "GROUP BY target_host_id", Object[].class)
                .setParameter("h", hosts).setParameter("t", readAt).getResultList())
                .map(rows -> {
                    Map<Long, Long> out = new HashMap<>();
                    rows.forEach(r -> out.put(((Number) r[0]).longValue(), ((Number) r[1]).longValue()));
                    return out;
                });
    }

    private Uni<UUID> queue(HostView host, List<VmView> vms, List<VmToMove> toMove, EvacuationPlanner.Plan plan,
            Map<Long, HostView> hosts, Principal by, java.util.function.Supplier<Uni<Void>> stillFits) {
        Instant now = Instant.now();
        Evacuation e = new Evacuation();
        e.id = UUID.randomUUID();
        e.hostId = host.id();
        e.state = "RUNNING";
        e.concurrency = plan.concurrency();
        e.maxOutbound = host.maxOutboundMigrations();
        e.predictedMakespanMillis = plan.predictedMakespanMillis();
        e.unplaceable = JSON.valueToTree(plan.unplaceable()).toString();
        e.createdAt = now;
        e.requestedBy = by.name();
        e.requestedBySubject = by.subject();
        Map<Long, VmView> vmById = new HashMap<>();
        vms.forEach(v -> vmById.put(v.id(), v));
        Map<Long, VmToMove> moveById = new HashMap<>();
        toMove.forEach(v -> moveById.put(v.vmId(), v));
        List<Migration> migrations = new ArrayList<>();
        for (var move : plan.moves()) {
            var target = new MigrationService.Target(hosts.get(move.targetHostId()), TargetChoice.EVACUATION,
                    "evacuation of host " + e.hostId + ", move " + move.order() + " of " + plan.moves().size()
                            + ": lowest predicted cost to " + move.targetHostName() + " among the hosts with room left");
            Migration m = MigrationService.queued(vmById.get(move.vmId()), host, target, moveById.get(move.vmId()).dirty(),
                    MigrationService.Asked.downtime(config.defaultMaxDowntimeMillis()), MigrationPriority.EVACUATION,
                    new MigrationService.Steering(config.forecastPolicy(), config.defaultThrottleCeilingPercent()), now);
            m.evacuationId = e.id;
            // as many leave at once as the plan found fastest, never more than the host allows
            m.sourceMaxOutbound = Math.min(plan.concurrency(), host.maxOutboundMigrations());
            if (plan.onePerDestination()) {
                m.targetMaxInbound = 1; // each destination works through its queue in plan order
            }
            // keep the plan's order within the queue: created in plan order, a millisecond apart
            m.createdAt = e.createdAt.plusMillis(move.order());
            migrations.add(m);
        }
        Set<Long> destinations = new java.util.HashSet<>();
        migrations.forEach(m -> destinations.add(m.targetHostId));
        return Panache.withTransaction(() -> DestinationLocks.hold(destinations).call(stillFits::get)
                .call(() -> e.persist()).call(() -> QueuedMigrations.enqueue(migrations, by,
                        "{\"evacuationId\": \"" + e.id + "\", \"hostId\": " + e.hostId + "}", traces, now))).replaceWith(e.id);
    }

    public Uni<EvacuationView> view(UUID id) {
        return Panache.withSession(() -> Evacuation.<Evacuation>findById(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Evacuation", id))
                .flatMap(EvacuationService::viewOf));
    }

    /** The evacuation with its migrations and the ETAs it gave. */
    private static Uni<EvacuationView> viewOf(Evacuation e) {
        return Migration.<Migration>list("evacuationId = ?1 order by createdAt", e.id)
                .flatMap(ms -> EvacuationTracker.etas(e).map(etas -> toView(e, ms, etas, Instant.now())));
    }

    public Uni<List<EvacuationView>> list(int page, int size) {
        return Panache.withSession(() -> Evacuation.<Evacuation>find("order by createdAt desc")
                .page(io.quarkus.panache.common.Page.of(page, size)).list().flatMap(all -> {
            Uni<List<EvacuationView>> chain = Uni.createFrom().item(new ArrayList<>());
            for (Evacuation e : all) {
                chain = chain.flatMap(list -> viewOf(e).map(v -> {
                    list.add(v);
                    return list;
                }));
            }
            return chain;
        }));
    }

    /** Cancels what has not finished; what already moved stays moved. */
    public Uni<List<UUID>> cancel(UUID id) {
        return Panache.withTransaction(() -> Evacuation.<Evacuation>findById(id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Evacuation", id))
                .flatMap(e -> {
                    e.state = "CANCELLED";
                    e.cancelledAt = Instant.now();
                    return Migration.<Migration>list("evacuationId = ?1 and phase in ?2", id,
                            List.of(MigrationPhase.QUEUED, MigrationPhase.SCHEDULED, MigrationPhase.RUNNING));
                }))
                .map(ms -> ms.stream().map(m -> m.id).toList());
    }

    /** @param etas what the tracker said, as {@link EvacuationTracker#etas} gives them: the last one is the ETA now */
    static EvacuationView toView(Evacuation e, List<Migration> ms, List<long[]> etas, Instant now) {
        Map<MigrationPhase, Integer> count = new java.util.EnumMap<>(MigrationPhase.class);
        ms.forEach(m -> count.merge(m.phase(), 1, Integer::sum));
        List<EvacuationView.Move> moves = new ArrayList<>();
        long[] starts = dev.ferry.scheduler.plan.EvacuationPlanner.plannedStarts(
                ms.stream().map(m -> m.predictedTotalTimeMillis).toList(), e.concurrency);
        for (Migration m : ms) {
            moves.add(new EvacuationView.Move(moves.size() + 1, m.id, m.vmId, m.vmName, m.targetHostId, m.phase(),
                    starts[moves.size()], m.predictedTotalTimeMillis, m.failureReason));
        }
        int succeeded = count.getOrDefault(MigrationPhase.SUCCEEDED, 0);
        int failed = count.getOrDefault(MigrationPhase.FAILED, 0);
        int cancelled = count.getOrDefault(MigrationPhase.CANCELLED, 0);
        int queued = count.getOrDefault(MigrationPhase.QUEUED, 0);
        int inFlight = ms.size() - succeeded - failed - cancelled - queued;
        boolean allFinal = ms.stream().allMatch(m -> m.phase().isFinal());
        String state = e.state.equals("CANCELLED") ? "CANCELLED" : allFinal ? "COMPLETED" : "RUNNING";
        JsonNode unplaceable;
        try {
            unplaceable = JSON.readTree(e.unplaceable);
        } catch (Exception ex) {
            unplaceable = JSON.getNodeFactory().arrayNode();
        }
        // what the tracker said last (the plan's makespan before its first pass); a cancelled one promises nothing
        long etaFromStart = etas.get(etas.size() - 1)[1];
        Long eta = allFinal ? Long.valueOf(0) : "CANCELLED".equals(state) ? null
                : Math.max(0, etaFromStart - java.time.Duration.between(e.createdAt, now).toMillis());
        EvacuationView.EtaError error = null;
        if (e.finishedAt != null) {
            long actual = java.time.Duration.between(e.createdAt, e.finishedAt).toMillis();
            error = new EvacuationView.EtaError(EvacuationEta.errorAt(0.25, etas, actual), EvacuationEta.errorAt(0.5, etas, actual),
                    EvacuationEta.errorAt(0.75, etas, actual), actual <= 0 ? 0 : (e.predictedMakespanMillis - actual) / (double) actual);
        }
        return new EvacuationView(e.id, e.hostId, state, e.concurrency, e.predictedMakespanMillis, eta,
                allFinal || eta == null ? null : now.plusMillis(eta),
                new EvacuationView.Progress(ms.size(), succeeded, failed, cancelled, inFlight, queued), moves, unplaceable,
                e.createdAt, e.cancelledAt, e.finishedAt, error);
    }
}
