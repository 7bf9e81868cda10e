package dev.ferry.support.security;

import dev.ferry.support.Problem;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * 401 and 403 as problem+json like every other error (authentication runs lazily, quarkus.http.auth.proactive=false,
 * so that its failures reach these mappers instead of leaving with an empty body).
 */
public class SecurityProblems {

    @ServerExceptionMapper({UnauthorizedException.class, AuthenticationFailedException.class})
    public Response unauthenticated(RuntimeException e) {
        Problem p = new Problem("unauthenticated", "Unauthorized", 401,
                "this API needs a valid bearer token from Ferry's identity provider (Authorization: Bearer ...);"
                        + " the request carried none, or one that is expired, malformed or not signed by the provider");
        return Response.status(401).type(Problem.MEDIA_TYPE).header("WWW-Authenticate", "Bearer").entity(p).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return Response.status(403).type(Problem.MEDIA_TYPE).entity(new Problem("forbidden", "Forbidden", 403,
                "the token's roles do not allow this operation; see the roles each operation needs in the API document"
                        + " (GET /q/openapi) and docs/SECURITY.md")).build();
    }
}
