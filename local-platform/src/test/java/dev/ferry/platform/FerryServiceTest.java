package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FerryServiceTest {

    @Test
    void aServiceRunsWithThePodsCollectorAndASmallInitialHeapUnlessToldOtherwise() {
        // (./ferry up, CI and this test run without FERRY_JVM_OPTIONS in their environment)
        assertThat(System.getenv(FerryService.JVM_OPTIONS)).isNull();
        assertThat(FerryService.jvmOptions(Map.of())).containsExactly("-XX:+UseSerialGC", "-Xms32m");
        assertThat(FerryService.commandLine()).isEqualTo("java -Xmx384m -XX:+UseSerialGC -Xms32m -jar");
    }

    @Test
    void optionsInTheServicesEnvironmentReplaceThemAndAnEmptySetLeavesTheChoiceToTheJvm() {
        assertThat(FerryService.jvmOptions(Map.of(FerryService.JVM_OPTIONS, " -XX:+UseG1GC  -Xms64m ")))
                .isEqualTo(List.of("-XX:+UseG1GC", "-Xms64m"));
        assertThat(FerryService.jvmOptions(Map.of(FerryService.JVM_OPTIONS, ""))).isEmpty();
    }
}
