package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FerryServiceTest {
    private static final Map<String, String> LAUNCHER_UNSET = Map.of();

    @Test
    void aServiceRunsWithThePodsCollectorAndASmallInitialHeapUnlessToldOtherwise() {
        assertThat(FerryService.jvmOptions(Map.of(), LAUNCHER_UNSET::get)).isEqualTo(
                FerryService.podJvm(FerryService.hasOption("TrimNativeHeapInterval")));
        assertThat(FerryService.podJvm(true)).containsExactly("-XX:+UseSerialGC", "-Xms32m", "-XX:TrimNativeHeapInterval=1000");
    }

    @Test
    void theNativeHeapIsTrimmedOnlyWhereTheJvmTakesTheOption() throws Exception {
        assertThat(FerryService.hasOption("UseEpsilonGC")).as("an experiment, locked in Java 17").isFalse();
        assertThat(FerryService.hasOption("NoSuchOptionOfFerrys")).isFalse();
        assertThat(FerryService.podJvm(false)).containsExactly("-XX:+UseSerialGC", "-Xms32m");
        Process jvm = new ProcessBuilder(FerryService.java(), FerryService.TRIM, "-version").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
            // given exactly where this JVM starts with it (17.0.15 here: a product option, so given)
            assertThat(FerryService.hasOption("TrimNativeHeapInterval")).isEqualTo(jvm.exitValue() == 0);
        } finally {
            jvm.destroyForcibly();
        }
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
