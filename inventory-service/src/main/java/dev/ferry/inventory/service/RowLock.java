package dev.ferry.inventory.service;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;

/**
 * Locks a row before its entity is read. Hibernate locks an entity with eager collections in a follow-on
 * statement after an unlocked read, so a caller that waited for the lock could still hold the snapshot read
 * before the wait; taking the lock first makes the read that follows see the latest committed row.
 */
final class RowLock {
    private RowLock() {
    }

    /**
     * {@code table} is one of ours, never user input. NO KEY UPDATE, not UPDATE: a reservation's foreign keys take KEY
     * SHARE on its source and target host rows, and two reservations crossing between two hosts (A to B, B to A) would
     * otherwise each hold one host and wait for the other: a deadlock. Writers of the same row still queue.
     */
    static Uni<Void> forUpdate(String table, long id) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery("SELECT id FROM " + table + " WHERE id = :id FOR NO KEY UPDATE")
                        .setParameter("id", id).getResultList())
                .replaceWithVoid();
    }

    /**
     * Locks the VM's rules between VMs (TOGETHER, APART), in id order, before its pre-checks read where the other VMs of
     * those rules run or are going. Two VMs of one rule reserved at the same moment would otherwise each judge the other
     * by where it was, and both pass: two TOGETHER VMs sent to different hosts. With the rule locked, the second waits
     * for the first's hold and is judged against it. NO KEY UPDATE, as above: a rule's own change takes the same lock
     * and then only key-share locks on its VMs, which a reservation's NO KEY UPDATE on the VM does not block.
     */
    static Uni<Void> vmRulesOf(long vmId) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery("SELECT r.id FROM placement_rule r JOIN placement_rule_vm v ON "
                        + "v.rule_id = r.id WHERE v.vm_id = :vm AND r.kind IN ('TOGETHER', 'APART') ORDER BY r.id FOR NO KEY UPDATE OF r")
                        .setParameter("vm", vmId).getResultList())
                .replaceWithVoid();
    }

    /** Bumps the row's version if it still is {@code expected}; true when this caller won it. */
    static Uni<Boolean> claimVersion(String table, long id, long expected) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery("UPDATE " + table + " SET version = version + 1 WHERE id = :id AND version = :v")
                        .setParameter("id", id).setParameter("v", expected).executeUpdate())
                .map(rows -> rows == 1);
    }

    /** The row's version now, or null when there is no such row. */
    static Uni<Long> currentVersion(String table, long id) {
        return Panache.getSession()
                .flatMap(session -> session.createNativeQuery("SELECT version FROM " + table + " WHERE id = :id", Long.class)
                        .setParameter("id", id).getResultList())
                .map(rows -> rows.isEmpty() ? null : rows.get(0));
    }
}
