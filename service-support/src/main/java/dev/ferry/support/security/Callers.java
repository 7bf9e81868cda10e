package dev.ferry.support.security;

import dev.ferry.events.Principal;
import io.quarkus.security.identity.SecurityIdentity;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Who is calling, from the request's verified token: its subject and the name a person reads. */
public final class Callers {

    private Callers() {
    }

    /**
     * The caller of an authenticated request (the role check has resolved its identity already). The name is the
     * token's preferred_username (Quarkus's principal name); the subject its sub, or the name where a token has none.
     */
    public static Principal of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            throw new IllegalStateException("no authenticated caller: an operation that records its caller must name a role");
        }
        String name = identity.getPrincipal().getName();
        String subject = identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null ? jwt.getSubject() : name;
        return new Principal(subject, name);
    }
}
