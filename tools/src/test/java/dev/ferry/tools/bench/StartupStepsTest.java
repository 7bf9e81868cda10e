package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class StartupStepsTest {

    @Test
    void readsTheStartAndEachStepFromWhatQuarkusLogged() {
        StartupSteps s = StartupSteps.of(List.of(
                "2026-12-03 22:28:07,309 Build step ResteasyReactiveCommonProcessor.setupBlockingOperationSupport completed in: 9ms",
                "2026-12-03 22:28:07,507 Build step OidcBuildStep.initJose4J completed in: 172ms",
                "22:28:14.008 INFO  [io.quarkus] scheduler-service 0.1.0-SNAPSHOT on JVM (powered by Quarkus 3.33.2) started in 7.184s. "
                        + "Listening on: http://0.0.0.0:8082.",
                "2026-12-03 22:28:14,100 Build step OidcBuildStep.initJose4J completed in: 8ms"));

        assertThat(s.startedInSeconds()).isEqualTo(7.184);
        // a step recorded twice (static and runtime init) counts once, with both times
        assertThat(s.stepMillis()).containsEntry("OidcBuildStep.initJose4J", 180L)
                .containsEntry("ResteasyReactiveCommonProcessor.setupBlockingOperationSupport", 9L).hasSize(2);
    }

    @Test
    void aServiceThatNeverSaidItStartedHasNoTime() {
        StartupSteps s = StartupSteps.of(List.of("22:28:14.008 ERROR [io.quarkus] Failed to start application"));

        assertThat(s.startedInSeconds()).isNaN();
        assertThat(s.stepMillis()).isEmpty();
    }
}
