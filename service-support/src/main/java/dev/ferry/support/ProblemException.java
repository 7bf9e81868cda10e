package dev.ferry.support;

/** A domain error that the REST layer turns into a problem+json response as it is. */
public class ProblemException extends RuntimeException {
    private final transient Problem problem;

    public ProblemException(Problem problem) {
        super(problem.detail);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }

    public static ProblemException notFound(String what, Object id) {
        return new ProblemException(new Problem(what.toLowerCase().replace(' ', '-') + "-not-found",
                what + " not found", 404, what + " " + id + " does not exist").with("id", id));
    }

    public static ProblemException conflict(String slug, String detail) {
        return new ProblemException(new Problem(slug, "Conflict", 409, detail));
    }

    public static ProblemException badRequest(String slug, String field, String detail) {
        return new ProblemException(new Problem(slug, "Invalid request", 400, detail).with("field", field));
    }
}
