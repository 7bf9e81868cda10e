package dev.ferry.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OffTheLoopTest {

    @Test
    void theWorkRunsOffTheEventLoopAndWhatFollowsComesBackOnTheCallersContext() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Context context = vertx.getOrCreateContext();
            CompletableFuture<String[]> seen = new CompletableFuture<>();
            context.runOnContext(x -> OffTheLoop.compute(() -> Thread.currentThread().getName() + "|" + Context.isOnEventLoopThread())
                    .subscribe().with(work -> seen.complete(new String[] {work,
                            String.valueOf(Vertx.currentContext() == context), String.valueOf(Context.isOnEventLoopThread())}),
                            seen::completeExceptionally));
            String[] r = seen.get(10, TimeUnit.SECONDS);
            assertThat(r[0]).as("where the work ran").endsWith("|false").doesNotContain("eventloop");
            assertThat(r[1]).as("back on the caller's context").isEqualTo("true");
            assertThat(r[2]).as("back on its event loop").isEqualTo("true");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
