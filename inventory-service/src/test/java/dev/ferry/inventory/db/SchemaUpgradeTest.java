package dev.ferry.inventory.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.SchemaUpgrade;
import org.junit.jupiter.api.Test;

/** A database of the release before the messaging module (scripts up to V2) upgrades in place and keeps its records. */
class SchemaUpgradeTest {

    @Test
    void aDatabaseOfTheReleaseBeforeUpgradesInPlaceAndKeepsItsUnpublishedRecords() throws Exception {
        var result = SchemaUpgrade.run("inventory_upgrade", "2", "inventory-events");

        assertThat(result.migrated()).isTrue();
        assertThat(result.validates()).isTrue();
        assertThat(result.unpublishedAfterOneMoreWrite()).as("the record written before the upgrade, and one after").isEqualTo(2);
    }
}
