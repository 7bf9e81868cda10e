package dev.ferry.worker.service;

import dev.ferry.events.EventCodec;
import dev.ferry.events.HostProbe;
import dev.ferry.events.HostReport;
import dev.ferry.worker.libvirt.LibvirtProbe;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

/**
 * Answers inventory's host probes: asks the host's libvirtd ({@link LibvirtProbe}) and publishes what it said, or that
 * it could not be asked, on host-reports. Any worker answers any probe (one consumer group shares them): every worker
 * reaches every host, as it must to migrate. A host that hangs is cut off at {@code probe-timeout}.
 */
@ApplicationScoped
public class HostProber {
    private static final Logger LOG = Logger.getLogger(HostProber.class);
    /** libvirt calls block; a hung host must not hold the consumer beyond the timeout, so each probe runs here. */
    private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "host-probe");
        t.setDaemon(true);
        return t;
    });

    @Inject
    @Channel("host-reports")
    MutinyEmitter<String> reports;

    @Inject
    WorkerConfig config;

    @Incoming("host-probes")
    @Blocking
    public void probe(String payload) throws InterruptedException {
        HostProbe probe = EventCodec.hostProbe(payload);
        HostReport report = answer(probe);
        LOG.infof("host %d at %s: %s", probe.hostId(), probe.libvirtUri(), report.reachable()
                ? report.guests().size() + " guest(s), CPU " + report.cpu().vendor() + " " + report.cpu().model()
                : "unreachable (" + report.error() + ")");
        reports.sendMessage(Message.of(EventCodec.toJson(report)).addMetadata(OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(report.key()).build())).await().atMost(config.publishPatience());
    }

    HostReport answer(HostProbe probe) throws InterruptedException {
        Future<HostReport> asked = probes.submit(() -> LibvirtProbe.probe(probe, Instant.now()));
        try {
            return asked.get(config.probeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            asked.cancel(true);
            return HostReport.unreachable(probe, Instant.now(), "libvirt at " + probe.libvirtUri() + " did not answer within "
                    + config.probeTimeout().toSeconds() + " s");
        } catch (ExecutionException e) {
            return HostReport.unreachable(probe, Instant.now(), "probing failed: " + e.getCause());
        }
    }
}
