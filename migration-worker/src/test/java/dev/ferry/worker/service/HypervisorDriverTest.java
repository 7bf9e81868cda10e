package dev.ferry.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HypervisorDriverTest {

    @Test
    void anUnknownDriverNameFailsWithTheNamesThatWork() {
        assertThatThrownBy(() -> HypervisorDriver.named("xen", null))
                .hasMessageContaining("must be simulated, qemu or libvirt, was 'xen'");
        assertThat(HypervisorDriver.named("libvirt", null).name()).isEqualTo("libvirt");
    }

    @Test
    void theQemuDriverFindsEachSideOfAVmByHostAndVmId() {
        assertThat(QemuDriver.socket("/run/ferry", 3, 42).toString()).isEqualTo("/run/ferry/host-3/vm-42.qmp");
        assertThat(dev.ferry.worker.qemu.QemuMigration.Mode.forPolicy("qemu-default"))
                .isEqualTo(dev.ferry.worker.qemu.QemuMigration.Mode.QEMU_DEFAULTS);
        assertThat(dev.ferry.worker.qemu.QemuMigration.Mode.forPolicy("ferry"))
                .isEqualTo(dev.ferry.worker.qemu.QemuMigration.Mode.STEERED);
    }
}
