package dev.ferry.e2e;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * One Keycloak for the end-to-end run, started in the background as the run begins when a class of the run is
 * {@link UsesKeycloak}: its 15-25 s of start-up overlap the classes before it (which mostly wait on migrations and
 * outages) instead of adding to the run. Stopped when the run ends.
 */
public class SharedRealm implements TestExecutionListener {
    private static volatile CompletableFuture<FerryRealm> realm;

    /** Marks a test class that needs {@link #get()}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.TYPE)
    public @interface UsesKeycloak {
    }

    @Override
    public void testPlanExecutionStarted(TestPlan plan) {
        boolean wanted = plan.getRoots().stream().flatMap(root -> plan.getDescendants(root).stream())
                .anyMatch(id -> id.getSource().orElse(null) instanceof ClassSource c && c.getJavaClass().isAnnotationPresent(UsesKeycloak.class));
        if (wanted) {
            realm = CompletableFuture.supplyAsync(() -> {
                try {
                    return FerryRealm.start(logs());
                } catch (Exception e) {
                    throw new IllegalStateException("Keycloak did not start: " + e.getMessage(), e);
                }
            });
        }
    }

    @Override
    public void testPlanExecutionFinished(TestPlan plan) {
        if (realm != null) {
            realm.thenAccept(FerryRealm::close).exceptionally(e -> null).join();
        }
    }

    /** The run's realm, waiting for its start if it is still under way. */
    static FerryRealm get() {
        if (realm == null) {
            throw new IllegalStateException("no Keycloak for this run: annotate the test class with @SharedRealm.UsesKeycloak");
        }
        return realm.join();
    }

    private static Path logs() {
        return Path.of(System.getProperty("ferry.root", "..")).toAbsolutePath().normalize().resolve("e2e-tests/target/e2e-logs");
    }
}
