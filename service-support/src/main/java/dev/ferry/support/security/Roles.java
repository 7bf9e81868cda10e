package dev.ferry.support.security;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Ferry's roles, as the identity provider grants them. People: viewer reads everything; operator also moves VMs
 * (request, cancel, force-complete, evacuate); admin also changes the fleet and its limits. Each includes the ones
 * before it, so an endpoint names the least role it needs. Services: scheduler (the scheduler-service's own client:
 * reserves destinations and sets host states in inventory) and worker (a migration-worker's client: claims migrations
 * from the scheduler) include nothing else, so a stolen service secret opens only its own door.
 */
public final class Roles {
    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String ADMIN = "admin";
    public static final String SCHEDULER = "scheduler";
    public static final String WORKER = "worker";

    /** People's roles, weakest first. */
    private static final List<String> LADDER = List.of(VIEWER, OPERATOR, ADMIN);

    private Roles() {
    }

    /** The granted roles with every role they include: admin -> operator -> viewer. */
    public static Set<String> withIncluded(Set<String> granted) {
        Set<String> all = new LinkedHashSet<>(granted);
        for (int i = LADDER.size() - 1; i > 0; i--) {
            if (all.contains(LADDER.get(i))) {
                all.add(LADDER.get(i - 1));
            }
        }
        return all;
    }
}
