package dev.ferry.support;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.MDC;

/**
 * Which migration a thread is working for, in every log line it writes meanwhile: the MDC keys {@code migrationId},
 * {@code attempt} and {@code vmId} (fields of their own in JSON logs, the same in every service) and
 * {@code migrationTag}, a short "[1a2b3c4d #1 web-1] " that the text format prints before the message. Closing restores what was there before, so
 * that contexts nest (a command about one migration handled while another runs on the same thread).
 */
public final class MigrationLogContext implements AutoCloseable {
    public static final String MIGRATION_ID = "migrationId";
    public static final String ATTEMPT = "attempt";
    public static final String VM_ID = "vmId";
    public static final String TAG = "migrationTag";

    private final Map<String, Object> previous = new LinkedHashMap<>();

    private MigrationLogContext(Map<String, Object> values) {
        values.forEach((k, v) -> previous.put(k, MDC.put(k, v)));
    }

    /** @param vmName the VM's name where it is known here, else null (the tag shows its id) */
    public static MigrationLogContext of(UUID migration, int attempt, long vmId, String vmName) {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put(MIGRATION_ID, migration.toString());
        values.put(ATTEMPT, attempt);
        values.put(VM_ID, vmId);
        values.put(TAG, "[" + migration.toString().substring(0, 8) + " #" + attempt + " "
                + (vmName != null ? vmName : "vm " + vmId) + "] ");
        return new MigrationLogContext(values);
    }

    @Override
    public void close() {
        previous.forEach((k, v) -> {
            if (v == null) {
                MDC.remove(k);
            } else {
                MDC.put(k, v);
            }
        });
    }
}
