package dev.ferry.worker.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.events.AbortStatus;
import dev.ferry.events.EventType;
import dev.ferry.model.engine.GuestLocation;
import dev.ferry.model.engine.MigrationResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outcome a worker reports follows where the hypervisor says the guest runs, not what the run believed. */
class OutcomeReportTest {
    static final OutcomeReport.Published PUBLISHED = new OutcomeReport.Published(3, 900);

    static MigrationResult result(MigrationResult.Outcome outcome, String reason) {
        return new MigrationResult(outcome, List.of(), null, outcome == MigrationResult.Outcome.SUCCEEDED ? 40 : 0, 5000, 1000, reason);
    }

    static OutcomeReport.Report report(HypervisorDriver.Finished f, boolean cancelAsked) {
        return OutcomeReport.of(f, cancelAsked, "ferry", PUBLISHED, "qemu");
    }

    @Test
    void aSuccessWhereTheDestinationRunsTheGuestIsASuccessWithItsFigures() {
        var r = report(HypervisorDriver.Finished.ran(result(MigrationResult.Outcome.SUCCEEDED, "fits"), GuestLocation.DESTINATION, "moved"), false);
        assertThat(r.type()).isEqualTo(EventType.MIGRATION_SUCCEEDED);
        assertThat(r.outcome().downtimeMillis()).isEqualTo(40);
        assertThat(r.outcome().totalBytesSent()).isEqualTo(1000);
        assertThat(r.outcome().failureReason()).isNull();
        assertThat(r.outcome().abortStatus()).isEqualTo(AbortStatus.NONE);
    }

    @Test
    void aCancelThatLostTheRaceWithTheSwitchOverEndsSucceededAndSaysSo() {
        var r = report(HypervisorDriver.Finished.ran(result(MigrationResult.Outcome.CANCELLED, "cancelled"), GuestLocation.DESTINATION,
                "source QEMU postmigrate, destination QEMU running"), true);
        assertThat(r.type()).isEqualTo(EventType.MIGRATION_SUCCEEDED);
        assertThat(r.outcome().abortStatus()).isEqualTo(AbortStatus.FAILED);
        assertThat(r.outcome().failureReason()).contains("cancelled by the operator during round 4")
                .contains("yet the guest runs on the destination").contains("destination QEMU running");
    }

    @Test
    void aFailedRunWhoseGuestMovedAnywayEndsSucceeded() {
        var r = report(HypervisorDriver.Finished.failed("QMP connection lost", GuestLocation.DESTINATION, "destination QEMU running"), false);
        assertThat(r.type()).isEqualTo(EventType.MIGRATION_SUCCEEDED);
        assertThat(r.outcome().failureReason()).contains("QMP connection lost");
    }

    @Test
    void aCancelOnTheSourceIsACancelAndAPolicyAbortAFailure() {
        var cancelled = report(HypervisorDriver.Finished.ran(result(MigrationResult.Outcome.CANCELLED, "c"), GuestLocation.SOURCE, "s"), true);
        assertThat(cancelled.type()).isEqualTo(EventType.MIGRATION_CANCELLED);
        assertThat(cancelled.outcome().abortStatus()).isEqualTo(AbortStatus.SUCCEEDED);
        assertThat(cancelled.outcome().failureReason()).endsWith("the VM keeps running on the source");
        var aborted = report(HypervisorDriver.Finished.ran(result(MigrationResult.Outcome.ABORTED, "no convergence"), GuestLocation.SOURCE, "s"), false);
        assertThat(aborted.type()).isEqualTo(EventType.MIGRATION_FAILED);
        assertThat(aborted.outcome().failureReason()).contains("policy ferry gave up: no convergence");
        assertThat(aborted.outcome().totalBytesSent()).isEqualTo(900); // what was published, not what the run counted
    }

    @Test
    void aSuccessTheSourceContradictsIsAFailure() {
        var r = report(HypervisorDriver.Finished.ran(result(MigrationResult.Outcome.SUCCEEDED, "fits"), GuestLocation.SOURCE,
                "source QEMU running"), false);
        assertThat(r.type()).isEqualTo(EventType.MIGRATION_FAILED);
        assertThat(r.outcome().failureReason()).contains("yet the guest still runs on the source");
    }

    @Test
    void whereNobodyCanTellTheOutcomeIsUnknownAndSaysWhatTheHypervisorSaid() {
        var r = report(HypervisorDriver.Finished.failed("no pass from QEMU for 30 s", GuestLocation.UNKNOWN,
                "source QEMU unreachable, destination QEMU inmigrate"), true);
        assertThat(r.type()).isEqualTo(EventType.OUTCOME_UNKNOWN);
        assertThat(r.outcome().failureReason()).contains("no pass from QEMU").contains("destination QEMU inmigrate")
                .contains("check both hosts");
        assertThat(r.outcome().abortStatus()).isEqualTo(AbortStatus.REQUESTED);
    }
}
