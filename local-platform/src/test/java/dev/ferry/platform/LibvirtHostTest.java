package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two libvirt daemons on this machine answer as two hosts: distinct URIs, distinct host UUIDs, the QEMU driver. */
class LibvirtHostTest {
    @TempDir
    Path dir;

    static String virsh(String uri, String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(java.util.List.of("virsh", "-c", uri));
        cmd.addAll(java.util.List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).as("virsh %s: %s", String.join(" ", args), out).isZero();
        return out;
    }

    @Test
    void twoDaemonsAnswerAsTwoHostsOfTheirOwn() throws Exception {
        try (LibvirtHost a = LibvirtHost.start(dir.resolve("a"), "hv-a", 0, false);
                LibvirtHost b = LibvirtHost.start(dir.resolve("b"), "hv-b", 1, false)) {
            assertThat(a.uri()).isNotEqualTo(b.uri());
            String uuidA = virsh(a.uri(), "capabilities");
            String uuidB = virsh(b.uri(), "capabilities");
            assertThat(between(uuidA, "<uuid>", "</uuid>")).isNotEqualTo(between(uuidB, "<uuid>", "</uuid>"));
            assertThat(virsh(a.uri(), "hostname")).isEqualTo("hv-a");
            assertThat(virsh(b.uri(), "version")).contains("Running hypervisor: QEMU 10"); // the QEMU driver
            assertThat(a.daemon().alive()).isTrue();
        }
    }

    static String between(String text, String from, String to) {
        int start = text.indexOf(from) + from.length();
        return text.substring(start, text.indexOf(to, start));
    }
}
