package dev.ferry.worker.qemu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.RoundRecord;
import org.junit.jupiter.api.Test;

/** What the throttle's steps ask of QEMU's auto-converge; the real-QEMU and libvirt tests show QEMU doing it. */
class AutoConvergeTest {
    @Test
    void underLibvirtAStepFiresAtQemusNextCheckAndTheHoldTakesTheTriggerBack() {
        // from 20 % in force to the policy's 60 %: any dirtying fires the trigger, an active throttle moves by 40
        assertThat(AutoConverge.stepUnderLibvirt(60, 20)).containsEntry("throttle-trigger-threshold", 1)
                .containsEntry("cpu-throttle-initial", 60).containsEntry("cpu-throttle-increment", 40)
                .doesNotContainKey("max-cpu-throttle"); // libvirt's: QEMU would refuse libvirt's own first step above it
        // a step of 1 % still moves
        assertThat(AutoConverge.stepUnderLibvirt(21, 20)).containsEntry("cpu-throttle-increment", 1);
        // once there: QEMU raises it only when the guest writes more than the link sends, and then by 1 %
        assertThat(AutoConverge.holdUnderLibvirt()).containsEntry("throttle-trigger-threshold", 100)
                .containsEntry("cpu-throttle-increment", 1).hasSize(2);
    }

    @Test
    void overQmpThePoliciesFigureIsBothTheStepAndTheCeiling() {
        assertThat(AutoConverge.ceiling(93)).containsEntry("cpu-throttle-initial", 93).containsEntry("max-cpu-throttle", 93)
                .containsEntry("throttle-trigger-threshold", 1);
        assertThat(AutoConverge.figure(93)).isEqualTo(AutoConverge.ceiling(93));
    }

    @Test
    void aWithdrawnFigureIsAutoConvergeIdleAgain() {
        // a first step of 1 %, and only on a real stall (which figure to set: SteeredThrottleTest)
        assertThat(AutoConverge.figure(0)).isEqualTo(AutoConverge.idle()).containsEntry("throttle-trigger-threshold", 100)
                .containsEntry("max-cpu-throttle", 1);
    }

    @Test
    void aGuestSampledOutrunningTheLinkHasQemuCountTheFirstLookAndNoOtherDoes() {
        double link = 100 << 20;
        // a quarter of a second: uniform at 200 MiB/s read 8,896 pages (1.39x a 100 MiB/s link), seq at 100 up to 7,296 (1.14x)
        assertThat(AutoConverge.countsFirstLook(new RoundRecord.Sample(0.25, 8_896), 4096, link)).isTrue();
        assertThat(AutoConverge.countsFirstLook(new RoundRecord.Sample(0.25, 7_296), 4096, link)).isFalse();
        assertThat(AutoConverge.countsFirstLook(new RoundRecord.Sample(0.25, 8_320), 4096, link)).as("1.3x exactly").isTrue();
        assertThat(AutoConverge.countsFirstLook(null, 4096, link)).as("no window, no guess").isFalse();
        assertThat(AutoConverge.countsFirstLook(new RoundRecord.Sample(0, 0), 4096, link)).isFalse();
        // counting is idle but for the trigger: any writing counts, and what QEMU could apply by itself stays 1 %
        assertThat(AutoConverge.counting()).containsEntry("throttle-trigger-threshold", 1).containsEntry("max-cpu-throttle", 1)
                .containsEntry("cpu-throttle-initial", 1);
    }
}
