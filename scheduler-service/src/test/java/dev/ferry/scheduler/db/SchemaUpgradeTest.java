package dev.ferry.scheduler.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.testsupport.SchemaUpgrade;
import org.junit.jupiter.api.Test;

/** A database of the release before the messaging module (scripts up to V4) upgrades in place and keeps its records. */
class SchemaUpgradeTest {

    @Test
    void aDatabaseOfTheReleaseBeforeUpgradesInPlaceAndKeepsItsUnpublishedRecords() throws Exception {
        var result = SchemaUpgrade.run("scheduler_upgrade", "4", "migration-commands");

        assertThat(result.migrated()).isTrue();
        assertThat(result.validates()).isTrue();
        assertThat(result.unpublishedAfterOneMoreWrite()).as("the record written before the upgrade, and one after").isEqualTo(2);
    }
}
