package dev.ferry.support;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error leaves as problem+json: 4xx for the caller's mistakes with the field at fault,
 * 5xx only for ours (logged with its stack, while the body stays free of internals).
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response domain(ProblemException e) {
        return respond(e.problem());
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e) {
        List<Map<String, String>> violations = e.getConstraintViolations().stream()
                .map(v -> Map.of("field", leaf(v.getPropertyPath().toString()), "message", v.getMessage()))
                .toList();
        String detail = violations.stream().map(v -> v.get("field") + " " + v.get("message"))
                .collect(Collectors.joining("; "));
        return respond(new Problem("validation-failed", "Invalid request", 400, detail)
                .with("violations", violations));
    }

    @ServerExceptionMapper
    public Response unreadableBody(JsonProcessingException e) {
        String field = null;
        if (e instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            field = m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining("."));
        }
        String detail = e instanceof InvalidFormatException f
                ? "value " + f.getValue() + " is not a valid " + f.getTargetType().getSimpleName()
                        + (String.valueOf(f.getOriginalMessage()).endsWith(NoNulText.REASON) ? ": " + NoNulText.REASON : "")
                : "the request body is not valid JSON for this endpoint: " + e.getOriginalMessage();
        return respond(new Problem("unreadable-body", "Invalid request", 400, detail).with("field", field));
    }

    /** Quarkus maps these itself, with an empty body, unless a mapper names them exactly. */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return unreadableBody(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e.getCause() instanceof JsonProcessingException json) {
            return unreadableBody(json);
        }
        String slug = switch (status) {
            case 400 -> "bad-request";
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 415 -> "unsupported-media-type";
            default -> "http-" + status;
        };
        return respond(new Problem(slug, e.getResponse().getStatusInfo().getReasonPhrase(), status, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e) {
        if (Transience.isTransient(e)) {
            return unavailable(e);
        }
        LOG.error("unexpected error while serving a request", e);
        return respond(new Problem("internal-error", "Internal error", 500,
                "an unexpected error occurred on our side; the operation was not applied (" + e.getClass().getSimpleName() + ")"));
    }

    private static String leaf(String path) {
        // "create.request.memoryBytes" -> "memoryBytes" (a body's field), "list.page" -> "page" (a query parameter):
        // the caller knows the body and the parameters, not our method names
        int dot = path.indexOf('.');
        int second = dot < 0 ? -1 : path.indexOf('.', dot + 1);
        return second >= 0 ? path.substring(second + 1) : dot >= 0 ? path.substring(dot + 1) : path;
    }

    /** The database or a service we need is away: 503 with Retry-After, so that callers wait it out. */
    static Response unavailable(Throwable e) {
        LOG.warnf("request not served, a dependency is away: %s", e.toString());
        Problem p = new Problem("temporarily-unavailable", "Service unavailable", 503,
                "a database or service this one needs is not reachable right now; nothing was applied; retry shortly");
        return respond(p);
    }

    /** A 503 always says when to come back, whichever mapper or service rule raised it. */
    public static Response respond(Problem problem) {
        Response.ResponseBuilder answer = Response.status(problem.status).type(Problem.MEDIA_TYPE).entity(problem);
        if (problem.status == 503) {
            answer.header("Retry-After", "5");
        }
        return answer.build();
    }
}
