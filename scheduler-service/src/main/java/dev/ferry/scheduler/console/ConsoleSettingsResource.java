package dev.ferry.scheduler.console;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What the web console (served at /console/) needs before anyone has signed in: where to sign in. The issuer is the
 * one browsers reach, which may differ from the one the services use inside the cluster.
 */
@Path("/console-settings")
@Tag(name = "console", description = "The web console at /console/")
@PermitAll
public class ConsoleSettingsResource {

    /** @param issuer the OpenID provider people sign in at; @param clientId the console's public client there */
    @Schema(name = "ConsoleSettings", example = "{\"issuer\": \"https://sso.example.com/realms/ferry\", \"clientId\": \"ferry-console\"}")
    public record Settings(String issuer, String clientId) {
    }

    @ConfigProperty(name = "ferry.console.issuer")
    String issuer;

    @ConfigProperty(name = "ferry.console.client-id")
    String clientId;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Where the console signs people in (no token needed)")
    @Extension(name = "x-ferry-open", value = "read before anyone has signed in; names only the public issuer and client")
    public Settings settings() {
        return new Settings(issuer, clientId);
    }
}
