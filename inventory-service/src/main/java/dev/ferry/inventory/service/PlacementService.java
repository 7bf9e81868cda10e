package dev.ferry.inventory.service;

import dev.ferry.inventory.model.Host;
import dev.ferry.inventory.model.Vm;
import dev.ferry.inventory.precheck.MigrationFacts.HostFacts;
import dev.ferry.inventory.precheck.PreChecks;
import dev.ferry.inventory.precheck.Verdict;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Which hosts can take a VM, and why the others cannot. */
@ApplicationScoped
public class PlacementService {

    /** A candidate host with its verdict and, when compatible, the free memory it would keep. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(example = "{\"verdict\": {\"hostId\": 3, \"hostName\": \"hv-03\", \"compatible\": true, \"failed\": [], \"rules\": []}, \"freeMemoryAfterBytes\": 53687091200}")
    public record Candidate(Verdict verdict, long freeMemoryAfterBytes) {
    }

    @Inject
    FleetReader fleet;

    @WithSession
    public Uni<List<Verdict>> check(long vmId, List<Long> hostIds) {
        return Vm.<Vm>findById(vmId)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("VM", vmId))
                .flatMap(vm -> Host.<Host>list("id in ?1", hostIds).flatMap(hosts -> {
                    List<Long> unknown = hostIds.stream().filter(id -> hosts.stream().noneMatch(h -> h.id.equals(id))).toList();
                    if (!unknown.isEmpty()) {
                        return Uni.createFrom().failure(ProblemException.notFound("Host", unknown.get(0)));
                    }
                    return Host.<Host>findById(vm.hostId).flatMap(source -> fleet.read().map(view -> {
                        HostFacts sourceFacts = view.hostFacts(source);
                        List<Verdict> out = new ArrayList<>();
                        for (Long id : hostIds) {
                            Host target = hosts.stream().filter(h -> h.id.equals(id)).findFirst().orElseThrow();
                            out.add(PreChecks.evaluate(view.vmFacts(vm), sourceFacts, view.hostFacts(target)));
                        }
                        return out;
                    }));
                }));
    }

    /** Every other host of the VM's cluster, compatible ones first, ranked by the free memory they keep. */
    @WithSession
    public Uni<List<Candidate>> candidates(long vmId) {
        return Vm.<Vm>findById(vmId)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("VM", vmId))
                .flatMap(vm -> Host.<Host>findById(vm.hostId).flatMap(source ->
                        Host.<Host>list("clusterId = ?1 and id <> ?2 order by name", source.clusterId, source.id)
                                .flatMap(hosts -> fleet.read().map(view -> {
                                    HostFacts sourceFacts = view.hostFacts(source);
                                    List<Candidate> out = new ArrayList<>();
                                    for (Host h : hosts) {
                                        HostFacts target = view.hostFacts(h);
                                        Verdict v = PreChecks.evaluate(view.vmFacts(vm), sourceFacts, target);
                                        out.add(new Candidate(v, target.freeMemoryBytes() - vm.memoryBytes));
                                    }
                                    // Spread the load: the compatible host that keeps the most memory free first.
                                    out.sort(Comparator.comparing((Candidate c) -> !c.verdict().compatible())
                                            .thenComparing(Comparator.comparingLong(Candidate::freeMemoryAfterBytes).reversed()));
                                    return out;
                                }))));
    }
}
