package dev.ferry.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A libvirt "host" on this machine: its own libvirtd, listening on a TCP port of its own, in a mount and UTS namespace
 * of its own so that its fixed root-mode paths (/etc/libvirt, /var/lib/libvirt, /run/libvirt, /var/log/libvirt,
 * /var/cache/libvirt) are bind mounts of a directory of its own. libvirt refuses to migrate to "the same host", so
 * each host reports a host UUID of its own. Two of them stand for two hypervisor hosts in the tests and the local
 * demo (what was measured to work is in shared/design/LIBVIRT.md). Needs root; guests run under TCG.
 */
public final class LibvirtHost implements AutoCloseable {
    private static final List<String> MOUNTS = List.of("etc:/etc/libvirt", "lib:/var/lib/libvirt", "run:/run/libvirt",
            "log:/var/log/libvirt", "cache:/var/cache/libvirt");
    private final String name;
    private final Path dir;
    private final int port;
    private final Supervised daemon;
    /** The certificates when the host listens on TLS only; null for plain TCP. */
    private final Pki pki;

    private LibvirtHost(String name, Path dir, int port, Supervised daemon, Pki pki) {
        this.name = name;
        this.dir = dir;
        this.port = port;
        this.daemon = daemon;
        this.pki = pki;
    }

    /**
     * Starts a host's libvirtd and waits until it answers.
     *
     * @param index which host of this machine (0, 1, ...): picks its migration and display port ranges
     */
    public static LibvirtHost start(Path dir, String name, int index, boolean detached) {
        return start(dir, name, index, detached, null);
    }

    /**
     * Starts a host that listens on TLS only, as a real fleet's hosts do: it presents a certificate for 127.0.0.1 from
     * {@code pki}'s CA and admits only clients with that CA's client certificate (CN=ferry-worker). Its
     * {@link #uri()} names the certificates with libvirt's {@code pkipath} parameter.
     */
    public static LibvirtHost start(Path dir, String name, int index, boolean detached, Pki pki) {
        int port = Ports.free();
        try {
            for (String mount : MOUNTS) {
                Files.createDirectories(dir.resolve(mount.substring(0, mount.indexOf(':'))));
            }
            Files.createDirectories(dir.resolve("log/qemu"));
            Path etc = dir.resolve("etc");
            if (!Files.exists(etc.resolve("qemu.conf.dist"))) {
                Trees.copy(Path.of("/etc/libvirt"), etc);
                Files.copy(etc.resolve("qemu.conf"), etc.resolve("qemu.conf.dist"));
            }
            Files.writeString(etc.resolve("libvirtd.conf"), pki == null ? libvirtdConf(name, port) : libvirtdTlsConf(name, port, pki));
            Files.writeString(etc.resolve("qemu.conf"), qemuConf(index));
        } catch (IOException e) {
            throw new LaunchException("could not prepare libvirt host " + name + " in " + dir + ": " + e.getMessage(), e);
        }
        // the mount points themselves may not exist on a host that never ran libvirtd
        StringBuilder script = new StringBuilder("mkdir -p");
        MOUNTS.forEach(m -> script.append(' ').append(m.substring(m.indexOf(':') + 1)));
        script.append(" && ");
        for (String mount : MOUNTS) {
            String[] m = mount.split(":");
            script.append("mount --bind '").append(dir.resolve(m[0])).append("' ").append(m[1]).append(" && ");
        }
        // exec keeps one pid from unshare to libvirtd; --pid-file inside the bind mounts, as the default lies outside
        script.append("hostname '").append(name).append("' && exec libvirtd --listen --pid-file /run/libvirt/libvirtd.pid");
        Supervised daemon = Supervised.start("libvirtd " + name, List.of("unshare", "--mount", "--uts", "--propagation",
                "private", "bash", "-c", script.toString()), Map.of(), dir.resolve("libvirtd.log"), detached, "libvirtd");
        LibvirtHost host = new LibvirtHost(name, dir, port, daemon, pki);
        try {
            // the first start probes QEMU's capabilities (about 8 s here); later starts read them from the cache
            daemon.awaitReady(() -> Ports.open(port), Duration.ofSeconds(60));
        } catch (LaunchException e) {
            host.close();
            throw e;
        }
        return host;
    }

    static String libvirtdConf(String name, int port) {
        return String.join("\n",
                "# written by Ferry's LibvirtHost for host " + name + ": plain TCP on loopback, no authentication (tests and demo)",
                "listen_tls = 0",
                "listen_tcp = 1",
                "listen_addr = \"127.0.0.1\"",
                "tcp_port = \"" + port + "\"",
                "auth_tcp = \"none\"",
                "auth_unix_rw = \"none\"",
                hostUuid(name),
                "");
    }

    static String libvirtdTlsConf(String name, int port, Pki pki) {
        return String.join("\n",
                "# written by Ferry's LibvirtHost for host " + name + ": TLS only, on loopback, clients with the test CA's client certificate",
                "listen_tls = 1",
                "listen_tcp = 0",
                "listen_addr = \"127.0.0.1\"",
                "tls_port = \"" + port + "\"",
                "auth_tls = \"none\"",
                "auth_unix_rw = \"none\"",
                "key_file = \"" + pki.serverKey() + "\"",
                "cert_file = \"" + pki.serverCert() + "\"",
                "ca_file = \"" + pki.caCert() + "\"",
                "tls_allowed_dn_list = [\"*CN=" + Pki.CLIENT_CN + "*\"]",
                hostUuid(name),
                "");
    }

    /** No SMBIOS here: without a UUID of its own each daemon would report the same host and refuse to migrate. */
    private static String hostUuid(String name) {
        return "host_uuid = \"" + UUID.nameUUIDFromBytes(("ferry-libvirt-host-" + name).getBytes(StandardCharsets.UTF_8)) + "\"";
    }

    static String qemuConf(int index) {
        int migration = 49152 + index * 64;
        int display = 5900 + index * 100;
        return String.join("\n",
                "# written by Ferry's LibvirtHost: root QEMU without cgroups, namespaces, security labels or virtlogd",
                "user = \"root\"",
                "group = \"root\"",
                "dynamic_ownership = 0",
                "remember_owner = 0",
                "security_driver = \"none\"",
                "cgroup_controllers = [ ]",
                "namespaces = [ ]",
                "stdio_handler = \"file\"",
                "migration_port_min = " + migration,
                "migration_port_max = " + (migration + 63),
                "remote_display_port_min = " + display,
                "remote_display_port_max = " + (display + 99),
                "");
    }

    public String name() {
        return name;
    }

    /** The libvirt URI a worker connects to: TLS with the test certificates, or plain TCP. */
    public String uri() {
        return pki == null ? "qemu+tcp://127.0.0.1:" + port + "/system"
                : "qemu+tls://127.0.0.1:" + port + "/system?pkipath=" + pki.dir();
    }

    /** The host's log directory as its guests see it: where a serial console file belongs. */
    public Path logDir() {
        return dir.resolve("log");
    }

    public Supervised daemon() {
        return daemon;
    }

    /**
     * Runs virsh against this host and returns what it printed; a failing virsh throws with its output (the tests and
     * the demo define, start and inspect guests with it, as an operator would).
     */
    public String virsh(String... args) throws IOException {
        return virshAt(uri(), args);
    }

    /** virsh against any libvirt URI (a host of an earlier run, known by its URI only). */
    public static String virshAt(String uri, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("virsh", "-c", uri));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IOException("virsh " + String.join(" ", args) + " at " + uri + ": " + out);
            }
            return out;
        } catch (InterruptedException e) {
            p.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: virsh " + String.join(" ", args), e);
        }
    }

    /** Destroys the host's guests (they outlive libvirtd otherwise), then stops the daemon. */
    @Override
    public void close() {
        if (daemon.alive()) {
            try {
                for (String domain : virsh("list", "--name").lines().map(String::trim).filter(l -> !l.isEmpty()).toList()) {
                    try {
                        virsh("destroy", domain);
                    } catch (IOException e) {
                        // it may have stopped on its own meanwhile
                    }
                }
            } catch (IOException e) {
                // the daemon is stopped anyway
            }
        }
        daemon.stop(Duration.ofSeconds(10));
    }
}
