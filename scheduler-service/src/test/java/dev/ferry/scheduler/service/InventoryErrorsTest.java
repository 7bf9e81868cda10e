package dev.ferry.scheduler.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.support.Problem;
import dev.ferry.support.ProblemException;
import io.quarkus.oidc.client.OidcClientException;
import java.net.ConnectException;
import org.junit.jupiter.api.Test;

/** What an operator reads when a request could not be checked with inventory: whose fault, and that nothing happened. */
class InventoryErrorsTest {

    @Test
    void aFailedSignInAtTheIdentityProviderIsA503NamingIt() {
        Problem p = problem(InventoryErrors.translate(new OidcClientException("OIDC Server is not available"), "vmId"));
        assertThat(p.status).isEqualTo(503);
        assertThat(p.type).endsWith("/identity-unavailable");
        assertThat(p.detail).contains("identity provider", "OIDC Server is not available", "nothing was reserved");
    }

    @Test
    void anUnreachableInventoryIsA503NamingIt() {
        Problem p = problem(InventoryErrors.translate(new jakarta.ws.rs.ProcessingException(new ConnectException("refused")), "vmId"));
        assertThat(p.status).isEqualTo(503);
        assertThat(p.type).endsWith("/inventory-unavailable");
    }

    @Test
    void ourOwnBugStaysOursForTheMappersToReportAs500() {
        NullPointerException bug = new NullPointerException();
        assertThat(InventoryErrors.translate(bug, "vmId")).isSameAs(bug);
    }

    private static Problem problem(Throwable t) {
        assertThat(t).isInstanceOf(ProblemException.class);
        return ((ProblemException) t).problem();
    }
}
