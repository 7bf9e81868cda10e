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

    @Test
    void aTlsHostAdmitsOnlyAClientWithItsCasClientCertificate() throws Exception {
        Pki pki = Pki.create(dir.resolve("pki"));
        try (LibvirtHost tls = LibvirtHost.start(dir.resolve("t"), "hv-tls", 4, false, pki)) {
            assertThat(tls.uri()).startsWith("qemu+tls://127.0.0.1:").contains("pkipath=");
            assertThat(tls.virsh("hostname")).isEqualTo("hv-tls");
            // without a client certificate the handshake is refused; and nothing answers in the clear
            java.nio.file.Path bare = dir.resolve("ca-only");
            java.nio.file.Files.createDirectories(bare);
            java.nio.file.Files.copy(pki.caCert(), bare.resolve("cacert.pem"));
            String port = tls.uri().replaceAll(".*:(\\d+)/system.*", "$1");
            for (String uri : new String[] {"qemu+tls://127.0.0.1:" + port + "/system?pkipath=" + bare,
                    "qemu+tcp://127.0.0.1:" + port + "/system"}) {
                Process p = new ProcessBuilder("virsh", "-c", uri, "hostname").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(p.waitFor()).as("virsh -c %s: %s", uri, out).isNotZero();
            }
        }
    }
}
