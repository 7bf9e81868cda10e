-- Retention (InventoryRetention) finds what is past its time through these, a slice at a time, without reading the
-- whole table: ended reservations by when they ended, fleet changes by when they were made.
CREATE INDEX reservation_ended ON reservation (ended_at) WHERE state <> 'ACTIVE';
CREATE INDEX fleet_change_by_time ON fleet_change (changed_at);
