package dev.ferry.e2e;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * Awaitility checks a condition at once, then every poll interval. Left alone it waits one interval before its first
 * look, so a wait for a migration that has already ended still cost half a second (about 20 s over the suite).
 */
public class PromptPolls implements TestExecutionListener {
    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        Awaitility.setDefaultPollDelay(Duration.ZERO);
    }
}
