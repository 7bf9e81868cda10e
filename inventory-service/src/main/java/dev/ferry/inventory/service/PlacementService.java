package dev.ferry.inventory.service;

import dev.ferry.inventory.api.Verdict;
import dev.ferry.inventory.api.Views.Candidate;
import dev.ferry.inventory.precheck.MigrationFacts.HostFacts;
import dev.ferry.inventory.precheck.MigrationFacts.VmFacts;
import dev.ferry.inventory.precheck.PreChecks;
import dev.ferry.inventory.repository.PrecheckReader;
import dev.ferry.inventory.repository.VmRepository;
import dev.ferry.inventory.repository.HostRepository;
import dev.ferry.support.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Which hosts can take a VM, and why the others cannot; reads only the hosts in question ({@link PrecheckReader}). */
@ApplicationScoped
public class PlacementService {

    @Inject
    VmRepository vms;

    @Inject
    HostRepository hosts;

    @Inject
    PrecheckReader facts;

    @WithSession
    public Uni<List<Verdict>> check(long vmId, List<Long> hostIds) {
        return vms.findById(vmId).onItem().ifNull().failWith(() -> ProblemException.notFound("VM", vmId)).flatMap(vm -> facts.vm(vm)
                .flatMap(vmFacts -> {
            Set<Long> ids = new LinkedHashSet<>(hostIds);
            ids.add(vm.hostId);
            return facts.hosts(ids, vmFacts, Instant.now()).flatMap(found -> {
                for (Long id : hostIds) {
                    if (!found.containsKey(id)) {
                        return Uni.createFrom().failure(ProblemException.notFound("Host", id));
                    }
                }
                HostFacts source = found.get(vm.hostId);
                return Uni.createFrom().item(hostIds.stream().map(id -> PreChecks.evaluate(vmFacts, source, found.get(id))).toList());
            });
        }));
    }

    /** Every other host of the VM's cluster, compatible ones first, ranked by the free memory they keep. */
    @WithSession
    public Uni<List<Candidate>> candidates(long vmId) {
        return vms.findById(vmId).onItem().ifNull().failWith(() -> ProblemException.notFound("VM", vmId))
                .flatMap(vm -> hosts.findById(vm.hostId).flatMap(source -> facts.vm(vm).flatMap(vmFacts -> {
                    return facts.cluster(source.clusterId, vmFacts, Instant.now()).map(cluster -> {
                        HostFacts sourceFacts = cluster.get(source.id);
                        List<Candidate> out = new ArrayList<>();
                        for (HostFacts target : cluster.values()) {
                            if (target.id() != source.id) {
                                out.add(new Candidate(PreChecks.evaluate(vmFacts, sourceFacts, target),
                                        target.freeMemoryBytes() - vm.memoryBytes, (int) (target.freeVcpus() - vm.vcpus)));
                            }
                        }
                        // Spread the load: the compatible host that keeps the most memory free first.
                        out.sort(Comparator.comparing((Candidate c) -> !c.verdict().compatible())
                                .thenComparing(Comparator.comparingLong(Candidate::freeMemoryAfterBytes).reversed()));
                        return out;
                    });
                })));
    }
}
