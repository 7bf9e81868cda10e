package dev.ferry.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.EventCodec;
import dev.ferry.events.HostProbe;
import dev.ferry.events.HostReport;
import dev.ferry.events.Topics;
import dev.ferry.support.security.Roles;
import dev.ferry.testsupport.KafkaProbe;
import dev.ferry.testsupport.RealInfrastructure;
import dev.ferry.testsupport.TestBroker;
import dev.ferry.testsupport.TestIdentity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.security.TestSecurity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The probe's path through Kafka: a probe on host-probes is answered on host-reports, keyed by host. (What a reachable
 * host reports is LibvirtMigrationTest's, against real libvirt daemons.)
 */
@QuarkusTest
@QuarkusTestResource(TestIdentity.class)
@TestSecurity(user = "tester", roles = {Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN, Roles.SCHEDULER, Roles.WORKER})
@QuarkusTestResource(ClaimDesk.class)
@QuarkusTestResource(value = RealInfrastructure.class, initArgs = {
        @ResourceArg(name = "topics", value = "migration-commands,migration-events,migration-commands-dlq,host-probes,host-reports,host-probes-dlq")})
class HostProberTest {

    @Test
    void aProbeOfAHostNobodyAnswersAtIsReportedUnreachableWithTheReason() {
        HostProbe probe = new HostProbe("probe-" + System.nanoTime(), 4242, "qemu+tcp://127.0.0.1:1/system", List.of(), Instant.now());
        KafkaProbe.send(TestBroker.bootstrapServers(), Topics.HOST_PROBES, probe.key(), EventCodec.toJson(probe));

        List<HostReport> reports = KafkaProbe.readUntil(TestBroker.bootstrapServers(), Topics.HOST_REPORTS, r -> "host-4242".equals(r.key()),
                        seen -> seen.stream().anyMatch(r -> EventCodec.hostReport(r.value()).probeId().equals(probe.probeId())),
                        Duration.ofSeconds(30))
                .stream().map(r -> EventCodec.hostReport(r.value())).filter(r -> r.probeId().equals(probe.probeId())).toList();

        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).reachable()).isFalse();
        assertThat(reports.get(0).hostId()).isEqualTo(4242);
        assertThat(reports.get(0).error()).contains("127.0.0.1:1");
    }
}
