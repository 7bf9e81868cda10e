package dev.ferry.events;

/** What the scheduler asks a worker to do. */
public enum CommandType {
    /** Run the migration on the driver, round by round. */
    START,
    /** Stop the migration; the VM keeps running on the source. */
    CANCEL,
    /** Stop the live rounds now: pause the VM and copy what remains, accepting a longer downtime. */
    FORCE_COMPLETE,
    /**
     * Run on at a new bandwidth cap: the migration's share of the links changed because another one sharing its
     * source's outbound or its destination's inbound bandwidth started or ended.
     */
    LIMIT_BANDWIDTH
}
