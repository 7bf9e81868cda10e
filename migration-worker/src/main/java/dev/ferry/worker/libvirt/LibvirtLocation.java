package dev.ferry.worker.libvirt;

import dev.ferry.model.engine.GuestLocation;

/**
 * Where the guest runs, from what the two hosts' libvirt say of it, as a pure function: running on exactly one host,
 * there; anything else (on both, on neither, a host that cannot be asked while the other does not run it) is not
 * guessed at.
 */
public final class LibvirtLocation {

    /** The answer, and the hosts' words behind it, for the outcome's reason. */
    public record Answer(GuestLocation where, String why) {
    }

    private LibvirtLocation() {
    }

    /** @param source what the source says ("running", "not running"), or null when it cannot be asked; same for destination */
    public static Answer of(String source, String destination) {
        String said = "source libvirt: " + (source == null ? "unreachable" : source) + ", destination libvirt: "
                + (destination == null ? "unreachable" : destination);
        boolean onSource = "running".equals(source);
        boolean onDestination = "running".equals(destination);
        if (onSource && !onDestination && destination != null) {
            return new Answer(GuestLocation.SOURCE, said);
        }
        if (onDestination && !onSource && source != null) {
            return new Answer(GuestLocation.DESTINATION, said);
        }
        return new Answer(GuestLocation.UNKNOWN, said + (onSource && onDestination ? ": running on both" : ""));
    }
}
