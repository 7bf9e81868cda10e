package dev.ferry.scheduler.rest;

import dev.ferry.model.engine.Policies;
import dev.ferry.scheduler.service.SchedulerConfig;
import dev.ferry.support.security.Roles;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The convergence policies a migration request may choose, and which one applies when it names none. */
@Path("/policies")
@Tag(name = "migrations")
@RolesAllowed(Roles.VIEWER)
public class PolicyResource {

    /** @param isDefault whether a request that names no policy gets this one (the workers' default) */
    @Schema(name = "Policy", example = "{\"name\": \"ferry\", \"isDefault\": true}")
    public record PolicyView(String name, boolean isDefault) {
    }

    @Inject
    SchedulerConfig config;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The convergence policies a request may name in `policy`; the default marked")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(type = SchemaType.ARRAY, implementation = PolicyView.class)))
    public List<PolicyView> list() {
        return Policies.NAMES.stream().map(n -> new PolicyView(n, n.equals(config.forecastPolicy()))).toList();
    }
}
