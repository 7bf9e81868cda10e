package dev.ferry.testsupport;

import dev.ferry.platform.LaunchException;
import dev.ferry.platform.Supervised;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A QEMU process running Ferry's test guest (guest/init.c): what the demo, the benchmark and the tests start in
 * place of a host agent or libvirt. Under TCG (no KVM here), with a serial console written to a file, a QMP unix
 * socket, and a small shared disk. The destination is the same command line with {@code -incoming defer}.
 */
public final class TestGuest implements AutoCloseable {
    private static final Pattern BEAT = Pattern.compile("ferry-heartbeat (\\d+) dirtied=(\\d+) bad=(\\d+) checks=(\\d+)");
    public final Path qmp;
    /** A second QMP monitor for observers (tests, the benchmark): QEMU serves one client per monitor socket. */
    public final Path observer;
    public final Path serial;
    private final Supervised process;

    private TestGuest(Path qmp, Path serial, Supervised process) {
        this.qmp = qmp;
        this.observer = qmp.resolveSibling(qmp.getFileName() + ".observer");
        this.serial = serial;
        this.process = process;
    }

    /**
     * What to boot and how the guest behaves. {@code pattern} names which pages it writes (guest/init.c: seq, uniform,
     * zipf, bursts, phase, grow), with any of its own settings after it ("zipf ferry.zipf_s=120").
     */
    public record Spec(Path kernel, Path initrd, Path disk, int memoryMib, int dirtyMibPerSecond, int regionMib, String pattern) {
        public Spec(Path kernel, Path initrd, Path disk, int memoryMib, int dirtyMibPerSecond, int regionMib) {
            this(kernel, initrd, disk, memoryMib, dirtyMibPerSecond, regionMib, "seq");
        }

        /** The kernel command line: the guest's dirty rate, region and pattern come from it. */
        public String append() {
            return "console=ttyS0 quiet panic=-1 ferry.dirty_mib_s=" + dirtyMibPerSecond + " ferry.region_mib=" + regionMib
                    + " ferry.pattern=" + pattern;
        }

        /** The same guest writing in another pattern. */
        public Spec writing(String pattern) {
            return new Spec(kernel, initrd, disk, memoryMib, dirtyMibPerSecond, regionMib, pattern);
        }

        /**
         * The guest that guest/build put into {@code guestDir} (vmlinuz and initrd.img) on {@code disk}. A missing build
         * is an error that says how to make it: a QEMU test or benchmark that skips itself proves nothing.
         */
        public static Spec built(Path guestDir, Path disk, int memoryMib, int dirtyMibPerSecond, int regionMib) {
            Path kernel = guestDir.resolve("vmlinuz");
            Path initrd = guestDir.resolve("initrd.img");
            if (!Files.exists(kernel) || !Files.exists(initrd)) {
                throw new IllegalStateException("the test guest is missing under " + guestDir + ": run guest/setup-host and "
                        + "guest/build (./ferry test and .ci/run do)");
            }
            return new Spec(kernel, initrd, disk, memoryMib, dirtyMibPerSecond, regionMib);
        }
    }

    /**
     * The same guest as a libvirt domain of {@code name}, its serial console written to {@code serial} (a path as the
     * host's libvirtd sees it). Diskless: libvirt refuses a live migration whose disks are not on storage it knows to
     * be shared, and the guest runs from its initrd anyway. q35 and qemu64 as with QEMU alone (TCG).
     */
    public static String domainXml(Spec spec, String name, String serial) {
        return """
                <domain type='qemu'>
                  <name>%s</name>
                  <memory unit='MiB'>%d</memory>
                  <vcpu>1</vcpu>
                  <os>
                    <type arch='x86_64' machine='q35'>hvm</type>
                    <kernel>%s</kernel>
                    <initrd>%s</initrd>
                    <cmdline>%s</cmdline>
                  </os>
                  <cpu mode='custom' match='exact'><model fallback='forbid'>qemu64</model></cpu>
                  <on_reboot>destroy</on_reboot>
                  <devices>
                    <serial type='file'><source path='%s'/><target port='0'/></serial>
                    <memballoon model='none'/>
                  </devices>
                </domain>
                """.formatted(name, spec.memoryMib(), spec.kernel(), spec.initrd(), spec.append(), serial);
    }

    /** A small raw disk image for the guest, at a path both QEMUs open (shared storage). Created when missing. */
    public static Path sharedDisk(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            if (f.length() == 0) {
                f.setLength(16L << 20);
            }
        }
        return file;
    }

    /** Starts QEMU as a child of this process; with {@code incoming} it waits for a migration instead of booting. */
    public static TestGuest start(Spec spec, Path qmp, Path serial, boolean incoming) throws IOException {
        return start(spec, qmp, serial, incoming, false);
    }

    /**
     * Starts QEMU; with {@code incoming} it waits for a migration instead of booting. {@code detached}: in a session
     * of its own, outliving this process and its terminal's Ctrl-C (the demo's guests, stopped by ./ferry down).
     * A QEMU that does not open its QMP socket in time is stopped, never left behind.
     */
    public static TestGuest start(Spec spec, Path qmp, Path serial, boolean incoming, boolean detached) throws IOException {
        Files.createDirectories(qmp.getParent());
        Files.deleteIfExists(qmp);
        Files.deleteIfExists(qmp.resolveSibling(qmp.getFileName() + ".observer"));
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-machine", "q35", "-cpu", "qemu64", "-accel", "tcg",
                "-m", Integer.toString(spec.memoryMib()), "-nodefaults", "-no-reboot", "-display", "none",
                "-kernel", spec.kernel().toString(), "-initrd", spec.initrd().toString(), "-append", spec.append(),
                "-serial", "file:" + serial, "-drive", "file=" + spec.disk() + ",if=virtio,format=raw,cache=none",
                "-qmp", "unix:" + qmp + ",server=on,wait=off",
                "-qmp", "unix:" + qmp.resolveSibling(qmp.getFileName() + ".observer") + ",server=on,wait=off"));
        if (incoming) {
            cmd.add("-incoming");
            cmd.add("defer");
        }
        // the QMP socket's path names this guest on its command line: what ./ferry down checks before stopping a pid
        Supervised p = Supervised.start("qemu", cmd, java.util.Map.of(), serial.resolveSibling(serial.getFileName() + ".qemu.log"),
                detached, qmp.toString());
        try {
            p.awaitReady(() -> Files.exists(qmp), Duration.ofSeconds(20));
        } catch (LaunchException e) {
            p.stop(Duration.ofSeconds(5));
            throw new IOException("QEMU did not open " + qmp + ": " + e.getMessage(), e);
        }
        return new TestGuest(qmp, serial, p);
    }

    /** The last heartbeat line on the serial console, or null before the guest printed one. */
    public Heartbeat lastHeartbeat() throws IOException {
        Heartbeat last = null;
        for (Heartbeat h : heartbeats()) {
            last = h;
        }
        return last;
    }

    public List<Heartbeat> heartbeats() throws IOException {
        return heartbeats(serial);
    }

    /** The heartbeats on a guest's serial console file, wherever the guest ran (a libvirt host writes it too). */
    public static List<Heartbeat> heartbeats(Path serial) throws IOException {
        return Files.exists(serial) ? beats(Files.readString(serial)) : new ArrayList<>();
    }

    private static List<Heartbeat> beats(String console) {
        List<Heartbeat> beats = new ArrayList<>();
        Matcher m = BEAT.matcher(console);
        while (m.find()) {
            beats.add(new Heartbeat(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3)),
                    Long.parseLong(m.group(4))));
        }
        return beats;
    }

    /**
     * The heartbeats on the destination's console, read as the continuation of the source's: a line the guest was
     * writing at the switch-over begins on the source and ends on the destination, cut anywhere, even inside a word
     * ("fe" there, "rry-heartbeat 425 ..." here), so the source's unfinished last line is put back in front.
     */
    static List<Heartbeat> continued(Path sourceSerial, Path destinationSerial) throws IOException {
        if (!Files.exists(destinationSerial)) {
            return new ArrayList<>();
        }
        String source = Files.readString(sourceSerial);
        String unfinished = source.substring(source.lastIndexOf('\n') + 1);
        return beats(unfinished + Files.readString(destinationSerial));
    }

    /**
     * Waits until a guest that moved beats {@code beats} more times on its destination, and returns the heartbeats
     * there. What a user checks after a live migration: the counter goes on from where the source left it (no
     * restart, nothing lost), and the guest's own memory check finds no bad page.
     */
    public static List<Heartbeat> awaitContinuation(Path sourceSerial, Path destinationSerial, long beats, Duration timeout)
            throws IOException {
        // the source's finished lines only: its unfinished last one, cut anywhere, is read with the destination's
        String source = Files.readString(sourceSerial);
        List<Heartbeat> onSource = beats(source.substring(0, source.lastIndexOf('\n') + 1));
        if (onSource.isEmpty()) {
            throw new IOException("no heartbeat on the source's console " + sourceSerial);
        }
        long lastOnSource = onSource.get(onSource.size() - 1).count();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Heartbeat> onDestination = continued(sourceSerial, destinationSerial);
        while (onDestination.isEmpty() || onDestination.get(onDestination.size() - 1).count() < lastOnSource + beats) {
            if (System.nanoTime() > deadline) {
                throw new IOException("the guest did not beat " + beats + " times after " + lastOnSource + " on "
                        + destinationSerial + " within " + timeout + " (saw " + onDestination.size() + ")");
            }
            sleep(200);
            onDestination = continued(sourceSerial, destinationSerial);
        }
        if (onDestination.get(0).count() != lastOnSource + 1) {
            throw new IOException("the guest restarted or lost time: last beat on the source " + lastOnSource
                    + ", first on the destination " + onDestination.get(0).count());
        }
        Heartbeat last = onDestination.get(onDestination.size() - 1);
        if (last.bad() != 0) {
            throw new IOException("the guest found " + last.bad() + " bad pages after the move");
        }
        return onDestination;
    }

    /** Waits until the guest has booted and printed at least {@code beats} heartbeats. */
    public Heartbeat awaitHeartbeat(long beats, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Heartbeat h = lastHeartbeat();
            if (h != null && h.count() >= beats) {
                return h;
            }
            if (!process.alive()) {
                throw new IOException("QEMU exited: " + log());
            }
            sleep(200);
        }
        throw new IOException("no heartbeat " + beats + " on " + serial + " within " + timeout);
    }

    /** One heartbeat of the guest: its counter, pages written so far, pages found bad, full checks done. */
    public record Heartbeat(long count, long dirtied, long bad, long checks) {
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.alive();
    }

    /** Its process, to write a pid file for (the demo's guests). */
    public Supervised process() {
        return process;
    }

    private String log() {
        return process.tail();
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(5));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
