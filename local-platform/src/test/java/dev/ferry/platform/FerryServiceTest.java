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
                FerryService.podJvm());
        assertThat(FerryService.podJvm(true)).containsExactly("-XX:+UseSerialGC", "-Xms32m", "-XX:TrimNativeHeapInterval=1000");
    }

    @Test
    void theNativeHeapIsTrimmedOnlyWhereTheJvmTakesTheOption() throws Exception {
        assertThat(FerryService.hasOption("UseEpsilonGC")).as("an experiment, locked in Java 17").isFalse();
        assertThat(FerryService.hasOption("NoSuchOptionOfFerrys")).isFalse();
        assertThat(FerryService.podJvm(false)).containsExactly("-XX:+UseSerialGC", "-Xms32m");
        ServiceJdk own = ServiceJdk.of(java.nio.file.Path.of(System.getProperty("java.home"))).orElseThrow();
        // given exactly where the JVM starts with it: this one (17.0.15 here: a product option, so given), and the
        // services' (Java 25 here)
        for (ServiceJdk jdk : List.of(own, ServiceJdk.chosen())) {
            Process jvm = new ProcessBuilder(jdk.java(), FerryService.TRIM, "-version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            try {
                assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(FerryService.trims(jdk)).as(jdk.describe()).isEqualTo(jvm.exitValue() == 0);
            } finally {
                jvm.destroyForcibly();
            }
        }
    }

    @Test
    void theServicesJvmStartsWithEveryOptionItIsGiven() throws Exception {
        ServiceJdk jdk = ServiceJdk.chosen();
        List<String> command = new java.util.ArrayList<>(List.of(jdk.java()));
        command.addAll(FerryService.podJvm());
        command.add("-version");
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).start();
        String said = new String(jvm.getInputStream().readAllBytes());
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(jvm.exitValue()).as(jdk.describe() + " with " + FerryService.podJvm() + ": " + said).isZero();
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
