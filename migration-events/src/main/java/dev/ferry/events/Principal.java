package dev.ferry.events;

/**
 * Who asked, as the identity provider named them: {@code subject} is its stable id (the token's sub), {@code name}
 * what a person reads (preferred_username; a service's account name for a service). Carried by the commands and
 * events an operator's request causes, and kept in the audit trails.
 */
public record Principal(String subject, String name) {
    /** Changes nobody asked for through an API: the services' own decisions (timeouts, reconciliation). */
    public static final Principal SYSTEM = new Principal("ferry", "ferry");
}
