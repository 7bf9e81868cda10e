package dev.ferry.scheduler.client;

import dev.ferry.inventory.api.Refusal;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.ext.ResponseExceptionMapper;
import org.jboss.resteasy.reactive.ClientWebApplicationException;

/** Keeps inventory's problem body, so that its failed rules reach the operator unchanged; a 5xx is its fault, not ours. */
public class InventoryProblems implements ResponseExceptionMapper<RuntimeException> {

    @Override
    public RuntimeException toThrowable(Response response) {
        if (response.getStatus() >= 500) {
            return new ClientWebApplicationException("inventory-service answered " + response.getStatus(), response.getStatus());
        }
        Refusal refusal = null;
        try {
            refusal = response.readEntity(Refusal.class);
        } catch (RuntimeException unreadable) {
            // no problem body: the status alone will have to do
        }
        return new InventoryRefusal(response.getStatus(), refusal);
    }

    @Override
    public boolean handles(int status, jakarta.ws.rs.core.MultivaluedMap<String, Object> headers) {
        return status >= 400;
    }
}
