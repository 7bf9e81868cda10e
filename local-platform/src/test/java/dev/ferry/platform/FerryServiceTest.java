package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FerryServiceTest {
    private static final Map<String, String> LAUNCHER_UNSET = Map.of();

    @Test
    void aServiceRunsWithThePodsCollectorAndASmallInitialHeapUnlessToldOtherwise() {
        assertThat(FerryService.jvmOptions(Map.of(), LAUNCHER_UNSET::get)).containsExactly("-XX:+UseSerialGC", "-Xms32m", "-XX:TrimNativeHeapInterval=1000");
    }

    @Test
    void optionsInTheServicesOrTheLaunchersEnvironmentReplaceThemAndAnEmptySetLeavesTheChoiceToTheJvm() {
        assertThat(FerryService.jvmOptions(Map.of(FerryService.JVM_OPTIONS, " -XX:+UseG1GC  -Xms64m "), LAUNCHER_UNSET::get))
                .isEqualTo(List.of("-XX:+UseG1GC", "-Xms64m"));
        assertThat(FerryService.jvmOptions(Map.of(), Map.of(FerryService.JVM_OPTIONS, "-XX:+UseParallelGC")::get))
                .containsExactly("-XX:+UseParallelGC");
        // the service's own setting wins over the launcher's
        assertThat(FerryService.jvmOptions(Map.of(FerryService.JVM_OPTIONS, ""), Map.of(FerryService.JVM_OPTIONS, "-Xms1g")::get))
                .isEmpty();
    }
}
