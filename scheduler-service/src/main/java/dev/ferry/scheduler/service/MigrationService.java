package dev.ferry.scheduler.service;

import dev.ferry.events.DirtyMeasurement;
import dev.ferry.events.Principal;
import dev.ferry.inventory.api.InventoryApi;
import dev.ferry.inventory.api.Requests.CompatibilityQuery;
import dev.ferry.inventory.api.RuleResult;
import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.inventory.api.Views.HostView;
import dev.ferry.inventory.api.Views.VmView;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.Policies;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.model.forecast.Forecast;
import dev.ferry.model.forecast.Forecaster;
import dev.ferry.scheduler.client.InventoryLists;
import dev.ferry.scheduler.model.AuditEntry;
import dev.ferry.scheduler.model.Migration;
import dev.ferry.scheduler.model.MigrationPhase;
import dev.ferry.scheduler.model.MigrationPriority;
import dev.ferry.scheduler.model.TargetChoice;
import dev.ferry.scheduler.plan.Admission;
import dev.ferry.scheduler.plan.DestinationClaims;
import dev.ferry.scheduler.plan.MeasuredWriting;
import dev.ferry.scheduler.plan.PlacementRanking;
import dev.ferry.scheduler.rest.MigrationRequest;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Accepts a migration: runs every pre-check through inventory-service (so that a migration that cannot go is refused
 * now, with every failed rule), picks the target, and records the migration QUEUED. The {@link Dispatcher} reserves
 * the destination and sends the start command when a slot is free.
 */
@ApplicationScoped
public class MigrationService {

    @Inject
    InventoryApi inventory;

    @Inject
    SchedulerConfig config;

    @Inject
    Dispatcher dispatcher;

    @Inject
    AttemptTraces traces;

    @Inject
    DirtyHistory history;

    /**
     * The chosen destination, who chose it and why; with inventory's room on it when a request was judged on that
     * (null otherwise), so that queueing can judge it again under the destination's lock.
     */
    public record Target(HostView host, TargetChoice choice, String reason, RoomAsRead room) {
        public Target(HostView host, TargetChoice choice, String reason) {
            this(host, choice, reason, (RoomAsRead) null);
        }

        /** The same, with when inventory's room was read at the latest (no later than it really was). */
        Target readBy(Instant at) {
            return room == null ? this : new Target(host, choice, reason, new RoomAsRead(room.candidate(), at));
        }
    }

    /**
     * Inventory's candidate for the destination and a moment before it was read: migrations dispatched there since then
     * hold reservations the candidate did not count (EPOCH: every migration dispatched there counts).
     */
    public record RoomAsRead(Candidate candidate, Instant readAfter) {
        /** The candidate, read at a moment not yet known (null: none was read). */
        static RoomAsRead of(Candidate candidate) {
            return candidate == null ? null : new RoomAsRead(candidate, Instant.EPOCH);
        }
    }

    /** What a forecast runs, as the worker will: the convergence policy, and the throttle ceiling when a request names none. */
    public record Steering(String policy, int defaultCeilingPercent) {
    }

    /**
     * What a request allows the migration.
     *
     * @param throttleCeilingPercent null: the workers' default
     * @param deadline               null: none (the engine still ends it within an hour)
     */
    public record Asked(long maxDowntimeMillis, Integer throttleCeilingPercent, boolean allowPostCopy, Instant deadline) {
        /** Only a downtime target; everything else as the workers' defaults have it. */
        public static Asked downtime(long maxDowntimeMillis) {
            return new Asked(maxDowntimeMillis, null, false, null);
        }

        MigrationLimits limits(int defaultCeilingPercent, Instant now) {
            return MigrationLimits.requested(maxDowntimeMillis, throttleCeilingPercent, defaultCeilingPercent, allowPostCopy,
                    deadline, now);
        }
    }

    /** A new destination for a queued migration, with what its forecast is made from. */
    public record Replacement(Target target, DirtyModel dirty, long sourceLinkBytesPerSecond) {
    }

    /** Quarkus's mapper: it writes the request's times and enums as the API reads them. */
    @Inject
    com.fasterxml.jackson.databind.ObjectMapper mapper;

    private String json(Object request) {
        try {
            return mapper.writeValueAsString(request);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a request that was read cannot be written back: " + e.getMessage(), e);
        }
    }

    /**
     * A request from {@code by}; a repeated Idempotency-Key answers the first migration, whoever asks again.
     *
     * @param force queue it even when it is predicted not to converge within its limits
     */
    public Uni<Migration> request(MigrationRequest req, String idempotencyKey, Principal by, boolean force) {
        if (idempotencyKey == null) {
            return accept(req, null, by, force);
        }
        return Panache.withSession(() -> Migration.<Migration>find("idempotencyKey", idempotencyKey).firstResult())
                .flatMap(existing -> existing != null ? Uni.createFrom().item(existing) : accept(req, idempotencyKey, by, force));
    }

    private Uni<Migration> accept(MigrationRequest req, String idempotencyKey, Principal by, boolean force) {
        Decided queue = (vm, source, target, dirty, admission) -> persist(req, idempotencyKey, vm, source, target, dirty,
                admission, by);
        return decide(req, force, queue)
                // a destination the scheduler chose, whose room another request took meanwhile: placed again, once, now
                // that the other's claim is counted (the operator's own choice is refused instead: theirs to change)
                .onFailure(e -> req.targetHostId() == null && e instanceof ProblemException p
                        && p.problem().type.endsWith("/destination-claimed"))
                .recoverWithUni(() -> decide(req, force, queue))
                .invoke(dispatcher::kick);
    }

    /**
     * The migration this request would start, decided as a real request is (pre-checks, placement, forecast) and then
     * dropped: nothing is recorded, reserved or sent.
     */
    public Uni<Migration> plan(MigrationRequest req, boolean force) {
        Instant now = Instant.now();
        return decide(req, force, (vm, source, target, dirty, admission) -> Uni.createFrom().item(queued(req, vm, source, target,
                dirty, now)));
    }

    /** What happens once the request's target is chosen and it is admitted: persisting it, or only showing it. */
    private interface Decided {
        Uni<Migration> then(VmView vm, HostView source, Target target, DirtyModel dirty, Admission.Verdict admission);
    }

    /** What the request allows, its unset fields as the scheduler's and the workers' defaults. */
    private Asked asked(MigrationRequest req) {
        return new Asked(Objects.requireNonNullElse(req.maxDowntimeMillis(), config.defaultMaxDowntimeMillis()),
                req.throttleCeilingPercent(), Boolean.TRUE.equals(req.allowPostCopy()), req.deadline());
    }

    private Uni<Migration> decide(MigrationRequest req, boolean force, Decided then) {
        if (req.policy() != null && !Policies.NAMES.contains(req.policy())) {
            return Uni.createFrom().failure(ProblemException.badRequest("unknown-policy", "policy",
                    "no convergence policy named '" + req.policy() + "'; known: " + String.join(", ", Policies.NAMES)));
        }
        Asked asked = asked(req);
        Instant reading = Instant.now(); // inventory's room is read after this: what holdRoom counts from
        return inventory.vm(req.vmId())
                .onFailure().transform(e -> InventoryErrors.translate(e, "vmId"))
                // the VM's host and, when the scheduler places it, its candidates: two calls at once, not one after the other
                .flatMap(vm -> Uni.combine().all().unis(inventory.host(vm.hostId()),
                                req.targetHostId() != null ? Uni.createFrom().item(List.<Candidate>of()) : inventory.candidates(vm.id()))
                        .asTuple()
                        .onFailure().transform(e -> InventoryErrors.translate(e, "vmId"))
                        .flatMap(read -> {
                            HostView source = read.getItem1();
                            return history.modelFor(vm.id(), vm.memoryBytes(), source.linkBandwidthBytesPerSecond())
                                    .flatMap(dirty -> chooseTarget(vm, source, req.targetHostId(), read.getItem2(), dirty,
                                            asked.limits(config.defaultThrottleCeilingPercent(), Instant.now()), policy(req.policy()))
                                            .map(target -> target.readBy(reading))
                                            .flatMap(target -> admit(req, force, vm, source, target, dirty)
                                                    .flatMap(verdict -> then.then(vm, source, target, dirty, verdict))));
                        }));
    }

    /**
     * Admission control: the forecast under everything the request allows must converge within its limits; else the
     * request is refused with why and the changes that would make it converge, unless it is forced.
     */
    Uni<Admission.Verdict> admit(MigrationRequest req, boolean force, VmView vm, HostView source, Target target, DirtyModel dirty) {
        var c = new Admission.Case(vm.memoryBytes(), link(source, target.host()),
                asked(req).limits(config.defaultThrottleCeilingPercent(), Instant.now()), dirty, policy(req.policy()));
        var forecast = c.forecast();
        if (force || Admission.admits(c, forecast)) {
            return Uni.createFrom().item(new Admission.Verdict(Admission.admits(c, forecast), forecast, null, List.of()));
        }
        return inventory.candidates(vm.id()).onFailure().transform(e -> InventoryErrors.translate(e, "vmId"))
                .flatMap(candidates -> {
                    List<Candidate> others = candidates.stream()
                            .filter(x -> x.verdict().compatible() && x.verdict().hostId() != target.host().id()).toList();
                    return others.isEmpty() ? Uni.createFrom().item(Map.<PlacementRanking.Option, HostView>of())
                            : options(others, source).map(Options::hosts);
                })
                .flatMap(options -> {
                    var alternatives = options.keySet().stream()
                            .map(o -> new Admission.Alternative(o.hostId(), o.hostName(), o.bandwidthBytesPerSecond())).toList();
                    // a dozen forecasts or more
                    return OffTheLoop.compute(() -> Admission.judge(c, alternatives, config.admissionLongestDowntimeMillis()))
                            .flatMap(verdict -> Uni.createFrom().failure(notAdmitted(vm, target, verdict)));
                });
    }

    private static ProblemException notAdmitted(VmView vm, Target target, Admission.Verdict verdict) {
        var f = verdict.forecast();
        List<Map<String, Object>> suggestions = verdict.suggestions().stream().map(s -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("field", s.field());
            one.put("value", s.value());
            one.put("change", s.change());
            one.put("forecast", Map.of("rounds", s.forecast().rounds(), "totalTimeMillis", s.forecast().totalTimeMillis(),
                    "downtimeMillis", s.forecast().downtimeMillis()));
            return one;
        }).toList();
        return new ProblemException(new Problem("predicted-not-to-converge", "Migration predicted not to converge", 422,
                "VM " + vm.name() + " to " + target.host().name() + " is predicted not to converge within its limits: "
                        + verdict.why() + (suggestions.isEmpty() ? "; no single change within what the operators allow is "
                                + "predicted to help" : "; " + suggestions.size() + " change(s) would, the least disruptive first: "
                                + verdict.suggestions().get(0).change()) + ". Repeat the request with force=true to queue it anyway.")
                .with("vmId", vm.id()).with("hostId", target.host().id())
                .with("forecast", Map.of("rounds", f.rounds(), "totalTimeMillis", f.totalTimeMillis(),
                        "downtimeMillis", f.downtimeMillis(), "converges", f.converges(), "policy", f.policy()))
                .with("suggestions", suggestions));
    }

    /** The migration stream runs at the slower of the two hosts' migration links. */
    private static long link(HostView source, HostView target) {
        return Math.min(source.linkBandwidthBytesPerSecond(), target.linkBandwidthBytesPerSecond());
    }

    /**
     * The operator's host, checked; or the best compatible host of the VM's cluster by predicted cost.
     *
     * @param candidates the VM's candidates as inventory ranks them (read by the caller; unused for the operator's host)
     */
    Uni<Target> chooseTarget(VmView vm, HostView source, Long operatorsChoice, List<Candidate> candidates, DirtyModel dirty,
            MigrationLimits limits, String policy) {
        if (operatorsChoice != null) {
            return inventory.compatibility(vm.id(), new CompatibilityQuery(List.of(operatorsChoice)))
                    .onFailure().transform(e -> InventoryErrors.translate(e, "targetHostId"))
                    .flatMap(verdicts -> {
                        Verdict verdict = verdicts.get(0);
                        if (!verdict.compatible()) {
                            return Uni.createFrom().failure(notPossible(vm, verdict));
                        }
                        return roomClaimed(vm, operatorsChoice)
                                .flatMap(candidate -> inventory.host(operatorsChoice).onFailure().transform(e -> InventoryErrors.translate(e, "targetHostId"))
                                        .map(host -> new Target(host, TargetChoice.OPERATOR, "chosen by the operator", RoomAsRead.of(candidate))));
                    });
        }
        return placement(vm, source, candidates, dirty, limits, policy, Set.of())
                .onFailure().transform(e -> InventoryErrors.translate(e, "vmId"))
                .flatMap(placed -> placed.target() != null ? Uni.createFrom().item(placed.target())
                        : !placed.full().isEmpty() ? Uni.createFrom().failure(new ProblemException(new Problem("no-room-left",
                                "Migration not possible", 422, "every compatible host of VM " + vm.name() + "'s cluster is "
                                        + "already claimed by queued migrations: " + String.join("; ", placed.full()))
                                .with("vmId", vm.id())))
                        : Uni.createFrom().failure(new ProblemException(new Problem("no-compatible-host",
                                "Migration not possible", 422, "no host in VM " + vm.name()
                                        + "'s cluster passes every pre-check").with("excludedHosts", candidates))));
    }

    /**
     * Refuses the operator's destination when the migrations already queued for it leave no room for this VM: it would
     * otherwise be accepted and fail when a slot frees up.
     */
    private Uni<Candidate> roomClaimed(VmView vm, long hostId) {
        return inventory.candidates(vm.id()).onFailure().transform(e -> InventoryErrors.translate(e, "targetHostId"))
                .flatMap(candidates -> {
                    var chosen = candidates.stream().filter(c -> c.verdict().hostId() == hostId).findFirst();
                    if (chosen.isEmpty()) {
                        return Uni.createFrom().nullItem(); // not of the VM's cluster: the pre-checks judged it alone
                    }
                    return claims().flatMap(claims -> {
                        var room = claims.room(chosen.get());
                        return room.fits() ? Uni.createFrom().item(chosen.get()) : Uni.createFrom().failure(claimed(vm, hostId, room));
                    });
                });
    }

    private static ProblemException claimed(VmView vm, long hostId, DestinationClaims.Room room) {
        return new ProblemException(new Problem("destination-claimed", "Migration not possible", 422, "VM " + vm.name()
                + " cannot be queued for " + room.shortfall() + "; it would fail when a slot frees up")
                .with("vmId", vm.id()).with("hostId", hostId).with("claimed", room.claimed()));
    }


    /**
     * In the queueing transaction: the destination's room judged again under a lock of that host, against the queued
     * migrations heading there now. Two requests judged at the same moment would otherwise both see the last room free
     * and both be queued, and one would fail at dispatch; with the lock the second sees the first's claim.
     */
    private static Uni<Void> holdRoom(VmView vm, Target target) {
        return roomHeld(target).flatMap(room -> room == null || room.fits() ? Uni.createFrom().voidItem()
                : Uni.createFrom().failure(claimed(vm, target.host().id(), room)));
    }

    /**
     * The target's room now, judged under its host's lock ({@link DestinationLocks}, held to the end of the caller's
     * transaction): inventory's room as read, less what the migrations queued for that host claim now, and less what
     * those dispatched there since the reading hold (their reservations were not in what inventory showed). Whoever
     * points a migration at a host, a request or a re-placement, judges it so: two judged at once would otherwise both
     * see the last room free. Null when the target was chosen without reading its room (nothing to judge).
     */
    public static Uni<DestinationClaims.Room> roomHeld(Target target) {
        if (target.room() == null) {
            return Uni.createFrom().nullItem();
        }
        long hostId = target.host().id();
        Instant read = target.room().readAfter();
        return DestinationLocks.hold(List.of(hostId))
                .flatMap(x -> Migration.<Migration>list("targetHostId = ?1 and (phase = ?2 or (phase in ?3 and id in (select t.migrationId "
                        + "from PhaseTransition t where t.toPhase = ?4 and t.at >= ?5)))", hostId, MigrationPhase.QUEUED,
                        MigrationPhase.UNDER_WAY, MigrationPhase.SCHEDULED, read))
                .map(claiming -> DestinationClaims.of(claiming).room(target.room().candidate()));
    }

    /** What the queued migrations claim on their destinations, now. */
    private Uni<DestinationClaims> claims() {
        return Panache.withSession(() -> Migration.<Migration>list("phase", MigrationPhase.QUEUED)).map(DestinationClaims::of);
    }

    /** The placement's choice, or none; with the compatible hosts left out because queued migrations claim their room. */
    record Placed(Target target, List<String> full) {
    }

    /**
     * The compatible host of the VM's cluster with the lowest predicted cost and room left once the queued migrations
     * heading there are counted, leaving out {@code excluded}; no target when none is. Inventory's failures pass
     * through as they are, for the caller to judge.
     */
    Uni<Placed> placement(VmView vm, HostView source, List<Candidate> candidates, DirtyModel dirty, MigrationLimits limits,
            String policy, Set<Long> excluded) {
        List<Candidate> compatible = candidates.stream()
                .filter(c -> c.verdict().compatible() && !excluded.contains(c.verdict().hostId())).toList();
        return compatible.isEmpty() ? Uni.createFrom().item(new Placed(null, List.of()))
                : options(compatible, source).map(options -> {
                    if (options.hosts().isEmpty()) {
                        return new Placed(null, options.full());
                    }
                    var ranked = PlacementRanking.rank(options.hosts().keySet().stream().toList(), vm.memoryBytes(), limits,
                            dirty, policy);
                    long chosen = ranked.get(0).option().hostId();
                    return new Placed(new Target(options.hosts().get(ranked.get(0).option()), TargetChoice.PLACEMENT,
                            PlacementRanking.reason(ranked), RoomAsRead.of(compatible.stream()
                                    .filter(c -> c.verdict().hostId() == chosen).findFirst().orElse(null))), options.full());
                });
    }

    /** A queued migration's new destination, or (when {@code found} is null) why it has none, in words. */
    public record Replaced(Replacement found, String whyNone) {
    }

    /**
     * The best destination for a queued migration other than {@code excluded}, ranked as at its request with the VM's
     * dirty history of now; or why there is none: no other host passes every pre-check, or those that do are full.
     */
    public Uni<Replaced> replacement(Migration m, Set<Long> excluded) {
        // inventory's room is read after this, as late as can be: what roomHeld counts from (a migration dispatched
        // between the two is counted by both, on the safe side)
        java.util.concurrent.atomic.AtomicReference<Instant> read = new java.util.concurrent.atomic.AtomicReference<>();
        return inventory.vm(m.vmId).flatMap(vm -> inventory.host(m.sourceHostId).flatMap(source ->
                history.modelFor(vm.id(), vm.memoryBytes(), source.linkBandwidthBytesPerSecond())
                        .invoke(x -> read.set(Instant.now()))
                        .flatMap(dirty -> inventory.candidates(vm.id()).flatMap(candidates -> placement(vm, source, candidates, dirty, new Asked(m.maxDowntimeMillis, m.throttleCeilingPercent,
                                m.allowPostCopy, m.deadline).limits(config.defaultThrottleCeilingPercent(), Instant.now()),
                                policy(m.policy), excluded)
                                .map(placed -> placed.target() != null
                                        ? new Replaced(new Replacement(placed.target().readBy(read.get()), dirty,
                                                source.linkBandwidthBytesPerSecond()), null)
                                        : new Replaced(null, placed.full().isEmpty()
                                                ? "no other host of the cluster passes every pre-check"
                                                : "every other compatible host of the cluster is already claimed by queued "
                                                        + "migrations: " + String.join("; ", placed.full())))))));
    }

    /**
     * Points a queued migration at a new destination: its link, inbound limit and forecast follow the new host; who
     * chose the destination (the scheduler or an evacuation) stays.
     *
     * @return the note for the audit entry that records the change
     */
    public static String retarget(Migration m, Replacement r, String reason, Steering steering, Instant now) {
        String note = "applied: destination changed from host " + m.targetHostId + " to " + r.target().host().name() + "; "
                + reason;
        // an evacuation whose destinations each take its moves one at a time keeps that at the new one
        boolean onePerDestination = m.evacuationId != null && m.targetMaxInbound == 1;
        aim(m, r.target(), r.sourceLinkBytesPerSecond(), r.dirty(), steering, now);
        if (onePerDestination) {
            m.targetMaxInbound = 1;
        }
        m.targetReason = reason;
        m.updatedAt = now;
        return note;
    }

    private static void aim(Migration m, Target target, long sourceLinkBytesPerSecond, DirtyModel dirty, Steering steering,
            Instant now) {
        m.targetHostId = target.host().id();
        // The migration stream runs at the slower of the two hosts' migration links.
        m.linkBandwidthBytesPerSecond = Math.min(sourceLinkBytesPerSecond, target.host().linkBandwidthBytesPerSecond());
        m.sourceLinkBytesPerSecond = sourceLinkBytesPerSecond;
        m.targetLinkBytesPerSecond = target.host().linkBandwidthBytesPerSecond();
        m.targetMaxInbound = target.host().maxInboundMigrations();
        m.targetLibvirtUri = target.host().libvirtUri();
        m.targetMigrationAddress = target.host().migrationAddress();
        forecast(m, dirty, steering, now);
    }

    /** The compatible hosts with room left, as options; and why the others have none. */
    record Options(Map<PlacementRanking.Option, HostView> hosts, List<String> full) {
    }

    /**
     * Each compatible host with room left once the queued migrations heading there are counted, as an option (its
     * link: the slower of the two ends; its free memory after those claims; the migrations already heading there).
     * The hosts come from one paged read of the source's cluster (where the candidates are), not one call per
     * candidate: a cluster of 500 hosts is a page, not 500 round trips on the request's path.
     */
    private Uni<Options> options(List<Candidate> compatible, HostView source) {
        Uni<List<Migration>> under = Panache.withSession(() -> Migration.<Migration>list("phase in ?1",
                List.of(MigrationPhase.QUEUED, MigrationPhase.SCHEDULED, MigrationPhase.RUNNING)));
        return under.flatMap(active -> InventoryLists.hostsOf(inventory, source.clusterId()).flatMap(cluster -> {
            Map<Long, HostView> hosts = new java.util.HashMap<>();
            cluster.forEach(h -> hosts.put(h.id(), h));
            DestinationClaims claims = DestinationClaims.of(active.stream().filter(m -> m.phase() == MigrationPhase.QUEUED).toList());
            List<String> full = new ArrayList<>();
            Uni<Map<PlacementRanking.Option, HostView>> chain = Uni.createFrom().item(new LinkedHashMap<>());
            for (Candidate c : compatible) {
                long hostId = c.verdict().hostId();
                DestinationClaims.Room room = claims.room(c);
                if (!room.fits()) {
                    full.add(room.shortfall());
                    continue;
                }
                int inbound = (int) active.stream().filter(m -> m.targetHostId == hostId).count();
                // a candidate outside the source's cluster (not one inventory offers today) is read by itself
                Uni<HostView> host = hosts.containsKey(hostId) ? Uni.createFrom().item(hosts.get(hostId)) : inventory.host(hostId);
                chain = chain.flatMap(map -> host.map(h -> {
                    map.put(new PlacementRanking.Option(hostId, h.name(),
                            Math.min(source.linkBandwidthBytesPerSecond(), h.linkBandwidthBytesPerSecond()),
                            room.freeMemoryAfterBytes(), inbound), h);
                    return map;
                }));
            }
            return chain.map(ranked -> new Options(ranked, full));
        }));
    }

    private static ProblemException notPossible(VmView vm, Verdict verdict) {
        List<RuleResult> failed = verdict.failed();
        return new ProblemException(new Problem("migration-not-possible", "Migration not possible", 422,
                verdict.refusal(vm.name()))
                .with("vmId", vm.id()).with("hostId", verdict.hostId()).with("failedRules", failed));
    }

    /**
     * The policy a migration's forecast runs: the request's, else the workers' default. Hosts are ranked with it too,
     * under the request's limits, so that the host chosen is one where the migration converges whenever one is.
     */
    String policy(String requested) {
        return requested != null ? requested : config.forecastPolicy();
    }

    /** What a migration's forecast runs: its policy, and the workers' throttle ceiling where it names none. */
    public Steering steering(String requestedPolicy) {
        return new Steering(policy(requestedPolicy), config.defaultThrottleCeilingPercent());
    }

    /** The migration a request would queue, with its forecast; not persisted. */
    private Migration queued(MigrationRequest req, VmView vm, HostView source, Target target, DirtyModel dirty, Instant now) {
        Migration m = queued(vm, source, target, dirty, asked(req), Objects.requireNonNullElse(req.priority(), MigrationPriority.USER),
                steering(req.policy()), now);
        m.policy = req.policy();
        return m;
    }

    /** A new QUEUED migration with its forecast; persist it with {@link Migration#transition} to QUEUED. */
    public static Migration queued(VmView vm, HostView source, Target target, DirtyModel dirty, Asked asked,
            MigrationPriority priority, Steering steering, Instant now) {
        Migration m = Migration.accepted(UUID.randomUUID(), now);
        m.vmId = vm.id();
        m.vmName = vm.name();
        m.memoryBytes = vm.memoryBytes();
        m.vcpus = vm.vcpus();
        m.sourceHostId = vm.hostId();
        m.sourceMaxOutbound = source.maxOutboundMigrations();
        m.sourceLibvirtUri = source.libvirtUri();
        m.maxDowntimeMillis = asked.maxDowntimeMillis();
        m.throttleCeilingPercent = asked.throttleCeilingPercent();
        m.allowPostCopy = asked.allowPostCopy();
        m.deadline = asked.deadline();
        aim(m, target, source.linkBandwidthBytesPerSecond(), dirty, steering, now);
        m.targetChoice = target.choice();
        m.targetReason = target.reason();
        m.priority = priority;
        m.remainingBytes = m.memoryBytes;
        return m;
    }

    /** The forecast for the migration's current target under everything its request allows, kept beside its outcome. */
    static void forecast(Migration m, DirtyModel dirty, Steering steering, Instant now) {
        forecast(m, dirty, steering, now, m.linkBandwidthBytesPerSecond);
    }

    /**
     * The migration's forecast again at the share of the links it starts with (its START's cap), in the starting
     * transaction: a host's link shared with others makes every round longer and the guest rewrites more meanwhile, so
     * the whole-link forecast made at the request no longer holds. A null share is the whole link: nothing changes.
     */
    public Uni<Void> forecastAtShare(Migration m, Long share) {
        if (share == null || share >= m.linkBandwidthBytesPerSecond) {
            return Uni.createFrom().voidItem();
        }
        long source = m.sourceLinkBytesPerSecond != null ? m.sourceLinkBytesPerSecond : m.linkBandwidthBytesPerSecond;
        return history.modelFor(m.vmId, m.memoryBytes, source)
                .invoke(dirty -> forecast(m, dirty, steering(m.policy), Instant.now(), share)).replaceWithVoid();
    }

    /**
     * The migration's forecast again from the guest's writing as its worker measured it just before round 1, over
     * its share of the links now (the START's, unless a LIMIT_BANDWIDTH has changed it since): what the prediction-accuracy report then judges. The forecast made at the
     * request stays in the audit trail.
     *
     * @return the note for the audit trail: the forecast before and after
     */
    public Uni<String> forecastMeasured(Migration m, DirtyMeasurement measured) {
        String before = "was " + m.predictedTotalTimeMillis + " ms in " + m.predictedRounds + " rounds (" + m.predictionBasis + ")";
        // the VM's history is read only when the worker sampled no zero pages
        Uni<java.util.Optional<Double>> last = measured.zeroShare() != null ? Uni.createFrom().item(java.util.Optional.empty())
                : history.zeroShareFor(m.vmId);
        return last.map(zero -> {
            DirtyModel dirty = MeasuredWriting.model(measured, m.memoryBytes, zero.orElse(null), DirtyHistory.LAST_FIRST_PASS);
            long share = m.bandwidthCapBytesPerSecond == null ? m.linkBandwidthBytesPerSecond
                    : Math.min(m.bandwidthCapBytesPerSecond, m.linkBandwidthBytesPerSecond);
            forecast(m, dirty, steering(m.policy), Instant.now(), share);
            return "applied: forecast again from the measured writing: now " + m.predictedTotalTimeMillis + " ms in "
                    + m.predictedRounds + " rounds; " + before;
        });
    }

    /**
     * What a queued migration's forecast total time would be over a link, with the VM's dirty model of now, changing
     * nothing: what a re-plan weighs before it moves the migration (the same model for here and there).
     */
    public long forecastMillisAt(Migration m, DirtyModel dirty, long sourceLinkBytesPerSecond, long targetLinkBytesPerSecond) {
        Steering steering = steering(m.policy);
        return Forecaster.forecast(m.memoryBytes, Math.min(sourceLinkBytesPerSecond, targetLinkBytesPerSecond),
                limitsOf(m, steering, Instant.now()), dirty, steering.policy()).totalTimeMillis();
    }

    private static MigrationLimits limitsOf(Migration m, Steering steering, Instant now) {
        return new Asked(m.maxDowntimeMillis, m.throttleCeilingPercent, m.allowPostCopy, m.deadline)
                .limits(steering.defaultCeilingPercent(), now);
    }

    /** @param bandwidth the migration's share of the links, or its whole link: the rounds' rate; the pause has the link */
    private static void forecast(Migration m, DirtyModel dirty, Steering steering, Instant now, long bandwidth) {
        MigrationLimits limits = limitsOf(m, steering, now);
        MigrationLimits rounds = bandwidth < m.linkBandwidthBytesPerSecond ? limits.heldTo(bandwidth) : limits;
        Forecast forecast = Forecaster.forecast(m.memoryBytes, m.linkBandwidthBytesPerSecond, rounds, dirty, steering.policy());
        m.predictedRounds = forecast.rounds();
        m.predictedTotalTimeMillis = forecast.totalTimeMillis();
        m.predictedDowntimeMillis = forecast.downtimeMillis();
        m.predictedConverges = Admission.withinLimits(forecast, limits);
        m.predictionBasis = forecast.basis() + "; forecast by running policy " + steering.policy() + " in virtual time"
                + (bandwidth < m.linkBandwidthBytesPerSecond ? " at its share of the links, " + bandwidth / 1_000_000 + " MB/s" : "")
                + (Admission.withinLimits(forecast, limits) ? "" : forecast.converges()
                        ? "; predicted to pause longer than the target: " + forecast.downtimeMillis() + " ms"
                        : "; predicted not to converge: the policy would give up");
    }

    private Uni<Migration> persist(MigrationRequest req, String idempotencyKey, VmView vm, HostView source, Target target,
            DirtyModel dirty, Admission.Verdict admission, Principal by) {
        Instant now = Instant.now();
        Migration m = queued(req, vm, source, target, dirty, now);
        m.idempotencyKey = idempotencyKey;
        m.maxRetries = req.maxRetries() == null ? 1 : req.maxRetries();
        m.requestedBy = by.name();
        m.requestedBySubject = by.subject();
        traces.first(m);
        return Panache.withTransaction(() -> holdRoom(vm, target).flatMap(held -> {
            // the phase first (the row needs one), its history entry once the row exists
            Uni<Void> entered = m.transition(MigrationPhase.QUEUED, "pre-checks passed for host " + target.host().name()
                    + " (" + target.reason() + ")" + (admission.admitted() ? ""
                            : "; forced although predicted not to converge within its limits")
                    + "; waiting for a migration slot", now);
            return m.<Migration>persist().call(() -> entered)
                    .call(() -> {
                        AuditEntry entry = AuditEntry.request(m.id, m.attempt, "MIGRATION_REQUESTED", by, json(req));
                        if (!admission.admitted()) {
                            entry.note = "forced (force=true) although predicted not to converge within its limits: "
                                    + m.predictionBasis;
                        }
                        return entry.persist();
                    });
        }));
    }
}
