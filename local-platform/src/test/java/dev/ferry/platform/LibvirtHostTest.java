package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two libvirt daemons on this machine answer as two hosts: distinct URIs, distinct host UUIDs, the QEMU driver. */
class LibvirtHostTest {
    @TempDir
    Path dir;

    @Test
    void twoDaemonsAnswerAsTwoHostsOfTheirOwn() throws Exception {
        try (LibvirtHost a = LibvirtHost.start(dir.resolve("a"), "hv-a", 0, false);
                LibvirtHost b = LibvirtHost.start(dir.resolve("b"), "hv-b", 1, false)) {
            assertThat(a.uri()).isNotEqualTo(b.uri());
            String uuidA = a.virsh("capabilities");
            String uuidB = b.virsh("capabilities");
            assertThat(between(uuidA, "<uuid>", "</uuid>")).isNotEqualTo(between(uuidB, "<uuid>", "</uuid>"));
            assertThat(a.virsh("hostname")).isEqualTo("hv-a");
            assertThat(b.virsh("version")).contains("Running hypervisor: QEMU 10"); // the QEMU driver
            assertThat(a.daemon().alive()).isTrue();
        }
    }

    static String between(String text, String from, String to) {
        int start = text.indexOf(from) + from.length();
        return text.substring(start, text.indexOf(to, start));
    }
}
