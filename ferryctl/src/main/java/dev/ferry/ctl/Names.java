package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;

/** A VM or host named on the command line by its name or its id, as the operator knows it. */
final class Names {
    private Names() {
    }

    static JsonNode vm(Api api, String nameOrId) {
        return find(api, "/vms", "VM", nameOrId);
    }

    static JsonNode host(Api api, String nameOrId) {
        return find(api, "/hosts", "host", nameOrId);
    }

    /** Clusters are read from their list, by name or id: inventory has no GET of one cluster. */
    static JsonNode cluster(Api api, String nameOrId) {
        for (JsonNode n : api.inventoryAll("/clusters")) {
            if (nameOrId.equals(n.path("name").asText()) || nameOrId.equals(n.path("id").asText())) {
                return n;
            }
        }
        throw new IllegalArgumentException("no cluster named '" + nameOrId + "' in the inventory");
    }

    private static JsonNode find(Api api, String path, String kind, String nameOrId) {
        if (nameOrId.matches("\\d+")) {
            return api.inventory("GET", path + "/" + nameOrId, null);
        }
        // VMs can be filtered by name on the server; hosts are fewer: their pages are read until one is short
        String filter = kind.equals("VM") ? Api.query(java.util.Map.of("name", nameOrId)) : "";
        for (JsonNode n : api.inventoryAll(path + filter)) {
            if (nameOrId.equals(n.path("name").asText())) {
                return n;
            }
        }
        throw new IllegalArgumentException("no " + kind + " named '" + nameOrId + "' in the inventory (ferryctl "
                + (kind.equals("VM") ? "vms" : "hosts") + " lists them)");
    }
}
