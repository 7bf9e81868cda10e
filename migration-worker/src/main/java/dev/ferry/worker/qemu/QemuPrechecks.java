package dev.ferry.worker.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The pre-checks made real, asked of both QEMUs before anything is sent: the destination waits for an incoming
 * migration, the source runs, both have the same machine type and memory size, and both see the same disks
 * (shared storage: the same image files).
 */
final class QemuPrechecks {
    private static final Duration CALL = Duration.ofSeconds(10);

    private QemuPrechecks() {
    }

    /** Every failed rule, in words; empty when the migration may start. */
    static List<String> failures(QmpClient source, QmpClient destination) throws IOException {
        List<String> failed = new ArrayList<>();
        String sourceStatus = source.execute("query-status", null, CALL).path("status").asText();
        String destinationStatus = destination.execute("query-status", null, CALL).path("status").asText();
        if (!"running".equals(sourceStatus)) {
            failed.add("the source guest is not running (status " + sourceStatus + ")");
        }
        if (!"inmigrate".equals(destinationStatus)) {
            failed.add("the destination QEMU is not waiting for an incoming migration (status " + destinationStatus + ")");
        }
        String sourceMachine = machineType(source);
        String destinationMachine = machineType(destination);
        if (!sourceMachine.equals(destinationMachine)) {
            failed.add("machine types differ: source " + sourceMachine + ", destination " + destinationMachine);
        }
        long sourceMemory = memory(source);
        long destinationMemory = memory(destination);
        if (sourceMemory != destinationMemory) {
            failed.add("memory sizes differ: source " + sourceMemory + " bytes, destination " + destinationMemory + " bytes");
        }
        var sourceDisks = disks(source);
        var destinationDisks = disks(destination);
        if (!sourceDisks.equals(destinationDisks)) {
            failed.add("the destination does not see the same disks (shared storage): source " + sourceDisks
                    + ", destination " + destinationDisks);
        }
        return failed;
    }

    private static String machineType(QmpClient qmp) throws IOException {
        return qmp.execute("qom-get", Map.of("path", "/machine", "property", "type"), CALL).asText();
    }

    private static long memory(QmpClient qmp) throws IOException {
        return qmp.execute("query-memory-size-summary", null, CALL).path("base-memory").asLong();
    }

    private static TreeSet<String> disks(QmpClient qmp) throws IOException {
        TreeSet<String> files = new TreeSet<>();
        for (JsonNode device : qmp.execute("query-block", null, CALL)) {
            JsonNode inserted = device.get("inserted");
            if (inserted != null && inserted.has("file")) {
                files.add(inserted.get("file").asText());
            }
        }
        return files;
    }
}
