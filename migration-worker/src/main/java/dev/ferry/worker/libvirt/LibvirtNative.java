package dev.ferry.worker.libvirt;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.lang.reflect.Field;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.jna.ConnectionPointer;
import org.libvirt.jna.DomainPointer;

/**
 * The calls libvirt's Java binding 0.5.4 lacks, over the same libvirt.so through JNA: switching a running migration to
 * post-copy, changing its bandwidth, comparing a CPU definition with what a host's hypervisor can run, and (through
 * libvirt-qemu.so) a QMP command to a QEMU guest's monitor, for the parameters libvirt's API does not expose. The binding
 * keeps the native pointers in non-public fields; they are read once per call.
 */
final class LibvirtNative {

    /** The C functions, as libvirt declares them. */
    interface Calls extends Library {
        int virDomainMigrateStartPostCopy(DomainPointer domain, int flags);

        int virDomainMigrateSetMaxSpeed(DomainPointer domain, NativeLong mebibytesPerSecond, int flags);

        int virConnectCompareHypervisorCPU(ConnectionPointer conn, String emulator, String arch, String machine, String virttype,
                String xmlCPU, int flags);

        String virGetLastErrorMessage();
    }

    /** libvirt-qemu's passthrough to a QEMU guest's monitor (libvirt0 ships libvirt-qemu.so beside libvirt.so). */
    interface QemuCalls extends Library {
        int virDomainQemuMonitorCommand(DomainPointer domain, String cmd, PointerByReference result, int flags);
    }

    private static volatile QemuCalls qemuCalls;

    /** VIR_CONNECT_COMPARE_CPU_FAIL_INCOMPATIBLE: an incompatible CPU is an error, with libvirt's reason. */
    private static final int FAIL_INCOMPATIBLE = 1;

    /** libvirt's answer to "can this host's hypervisor run this CPU": yes, or no with its reason. */
    record CpuVerdict(boolean runs, String reason) {
    }

    private static volatile Calls calls;

    private LibvirtNative() {
    }

    private static QemuCalls qemuCalls() {
        if (qemuCalls == null) {
            qemuCalls = Native.load("virt-qemu", QemuCalls.class);
        }
        return qemuCalls;
    }

    /**
     * Sends one QMP command to the guest's QEMU through libvirt (virDomainQemuMonitorCommand) and returns QEMU's reply;
     * a reply with an error, a guest not run by QEMU or a libvirt that refuses throws. libvirt marks the domain
     * "tainted: custom-monitor" in its log: it cannot vouch for what the command changed.
     */
    static String qemuMonitorCommand(Domain guest, String qmpJson) throws IOException {
        PointerByReference result = new PointerByReference();
        int rc;
        try {
            rc = qemuCalls().virDomainQemuMonitorCommand(pointer(guest), qmpJson, result, 0);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            throw new IOException("libvirt-qemu is not available here: " + e.getMessage(), e);
        }
        if (rc != 0) {
            throw new IOException("libvirt refused the QEMU monitor command: " + calls().virGetLastErrorMessage());
        }
        Pointer reply = result.getValue();
        try {
            String text = reply == null ? "" : reply.getString(0);
            if (text.contains("\"error\"")) {
                throw new IOException("QEMU refused " + qmpJson + ": " + text);
            }
            return text;
        } finally {
            if (reply != null) {
                Native.free(Pointer.nativeValue(reply)); // libvirt's malloc, libvirt's free
            }
        }
    }

    private static Calls calls() {
        if (calls == null) {
            calls = Native.load("virt", Calls.class);
        }
        return calls;
    }

    /** Switches the guest's running migration to post-copy: it runs on the destination from now, pulling what is left. */
    static void startPostCopy(Domain guest) throws IOException {
        if (calls().virDomainMigrateStartPostCopy(pointer(guest), 0) != 0) {
            throw new IOException("libvirt refused to switch the migration to post-copy");
        }
    }

    /** virDomainMigrateSetMaxSpeed's flag for the post-copy pull's own cap (libvirt 5.1 and later). */
    static final int MAX_SPEED_POSTCOPY = 1;

    /** Caps the running migration's bandwidth (MiB/s, libvirt's unit), or with {@code postCopy} its post-copy pull's. */
    static void setMaxSpeed(Domain guest, long mebibytesPerSecond, boolean postCopy) throws IOException {
        if (calls().virDomainMigrateSetMaxSpeed(pointer(guest), new NativeLong(mebibytesPerSecond), postCopy ? MAX_SPEED_POSTCOPY : 0) != 0) {
            throw new IOException("libvirt refused to set the migration" + (postCopy ? "'s post-copy" : "") + " bandwidth to "
                    + mebibytesPerSecond + " MiB/s");
        }
    }

    /**
     * Asks a host whether its hypervisor can run a guest's CPU definition (virConnectCompareHypervisorCPU): the model
     * and features against what QEMU or KVM offers there, not the bare host CPU. Throws when the host cannot answer.
     */
    static CpuVerdict compareHypervisorCpu(Connect host, LibvirtXml.GuestCpu guest) throws IOException {
        Calls c = calls();
        int answer = c.virConnectCompareHypervisorCPU(pointer(host), null, guest.arch(), guest.machine(), guest.virtType(),
                guest.cpuXml(), FAIL_INCOMPATIBLE);
        if (answer > 0) {
            return new CpuVerdict(true, answer == 1 ? "identical" : "the host offers more");
        }
        String why = c.virGetLastErrorMessage();
        if (why != null && why.toLowerCase(java.util.Locale.ROOT).contains("incompatible")) {
            return new CpuVerdict(false, why);
        }
        throw new IOException("libvirt could not compare the CPU: " + why);
    }

    private static ConnectionPointer pointer(Connect host) throws IOException {
        try {
            Field f = Connect.class.getDeclaredField("vcp");
            f.setAccessible(true);
            return (ConnectionPointer) f.get(host);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("this libvirt binding keeps no connection pointer where 0.5.4 does: " + e.getMessage(), e);
        }
    }

    private static DomainPointer pointer(Domain guest) throws IOException {
        try {
            Field f = Domain.class.getDeclaredField("vdp");
            f.setAccessible(true);
            return (DomainPointer) f.get(guest);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IOException("this libvirt binding keeps no domain pointer where 0.5.4 does: " + e.getMessage(), e);
        }
    }
}
