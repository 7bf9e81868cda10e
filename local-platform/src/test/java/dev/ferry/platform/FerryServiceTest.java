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
    void theNativeHeapIsTrimmedOnlyWhereTheJvmTakesTheOption() throws Exception {
        assertThat(FerryService.hasOption("TrimNativeHeapInterval")).as("a product option of this Java 17").isTrue();
        assertThat(FerryService.hasOption("UseEpsilonGC")).as("an experiment, locked in Java 17").isFalse();
        assertThat(FerryService.hasOption("NoSuchOptionOfFerrys")).isFalse();
        assertThat(FerryService.podJvm(false)).containsExactly("-XX:+UseSerialGC", "-Xms32m");
        Process java = new ProcessBuilder(FerryService.java(), FerryService.TRIM, "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(java.waitFor()).as("this JVM starts with it").isZero();
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
