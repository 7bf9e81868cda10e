package dev.ferry.worker.libvirt;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.io.IOException;
import java.lang.reflect.Field;
import org.libvirt.Domain;
import org.libvirt.jna.DomainPointer;

/**
 * The migration calls libvirt's Java binding 0.5.4 lacks, over the same libvirt.so through JNA: switching a running
 * migration to post-copy, and changing its bandwidth. The binding keeps a domain's native pointer in a package-private
 * field; it is read once per call.
 */
final class LibvirtNative {

    /** The C functions, as libvirt declares them. */
    interface Calls extends Library {
        int virDomainMigrateStartPostCopy(DomainPointer domain, int flags);

        int virDomainMigrateSetMaxSpeed(DomainPointer domain, NativeLong mebibytesPerSecond, int flags);
    }

    private static volatile Calls calls;

    private LibvirtNative() {
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

    /** Caps the running migration's bandwidth (MiB/s, libvirt's unit). */
    static void setMaxSpeed(Domain guest, long mebibytesPerSecond) throws IOException {
        if (calls().virDomainMigrateSetMaxSpeed(pointer(guest), new NativeLong(mebibytesPerSecond), 0) != 0) {
            throw new IOException("libvirt refused to set the migration bandwidth to " + mebibytesPerSecond + " MiB/s");
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
