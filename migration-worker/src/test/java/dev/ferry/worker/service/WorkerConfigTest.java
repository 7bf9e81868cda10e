package dev.ferry.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkerConfigTest {

    /** The worker's configuration from these properties, built as Quarkus builds it: expressions
     * expanded, and a key under ferry.worker that no method maps refused. */
    static WorkerConfig with(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder().addDefaultInterceptors().withMapping(WorkerConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 100)).build();
        return config.getConfigMapping(WorkerConfig.class);
    }

    @Test
    void theProgressTimeoutIsDriverNeutralAndItsOldQemuNameStillWorks() {
        assertThat(with(Map.of()).progressTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(with(Map.of("ferry.worker.progress-timeout", "PT5S")).progressTimeout()).isEqualTo(Duration.ofSeconds(5));
        // a deployment written before the libvirt driver keeps its setting
        assertThat(with(Map.of("ferry.worker.qemu-progress-timeout", "PT7S")).progressTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(with(Map.of("ferry.worker.qemu-progress-timeout", "PT7S", "ferry.worker.progress-timeout", "PT9S"))
                .progressTimeout()).isEqualTo(Duration.ofSeconds(9));
    }
}
