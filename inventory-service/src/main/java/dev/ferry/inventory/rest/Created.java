package dev.ferry.inventory.rest;

import jakarta.ws.rs.core.Response;
import java.net.URI;

/** A 201 with the new resource's location and its view. */
final class Created {
    private Created() {
    }

    static Response at(String collection, long id, Object view) {
        return Response.created(URI.create("/" + collection + "/" + id)).entity(view).build();
    }
}
