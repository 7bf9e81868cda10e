package dev.ferry.scheduler.rest;

import dev.ferry.scheduler.model.IllegalTransitionException;
import dev.ferry.support.Problem;
import dev.ferry.support.ProblemMappers;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** A request that would move a migration's phase where the transition table forbids: a conflict, reported as such. */
public class TransitionErrors {
    private static final Logger LOG = Logger.getLogger(TransitionErrors.class);

    @ServerExceptionMapper
    public Response illegalTransition(IllegalTransitionException e) {
        LOG.warn(e.getMessage());
        return ProblemMappers.respond(new Problem("illegal-transition", "Conflict", 409, e.getMessage())
                .with("from", e.from()).with("to", e.to()));
    }
}
