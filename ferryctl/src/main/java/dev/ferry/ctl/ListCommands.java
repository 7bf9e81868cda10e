package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** ferryctl hosts | vms | migrations: a listing, as a table or the API's JSON or YAML, once or as it changes. */
final class ListCommands {
    private ListCommands() {
    }

    abstract static class Listing extends Subcommand implements Callable<Integer> {
        @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table, json or yaml (default: ${DEFAULT-VALUE})")
        Output.Format output = Output.Format.table;

        @Option(names = {"-w", "--watch"}, description = "after the listing, print each row again when it changes (Ctrl-C stops)")
        boolean watch;

        @Option(names = "--interval", paramLabel = "DURATION", converter = Durations.class,
                description = "how often --watch asks (default: 2s)")
        Duration interval = Duration.ofSeconds(2);

        abstract JsonNode rows(Api api);

        abstract List<Output.Column> columns();

        @Override
        public Integer call() throws InterruptedException {
            Api api = root.api();
            JsonNode rows = rows(api);
            spec.commandLine().getOut().print(Output.render(rows, output, columns()));
            spec.commandLine().getOut().flush();
            if (watch) {
                Watcher watcher = new Watcher(rows);
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(interval.toMillis());
                    JsonNode changed = watcher.changes(rows(api));
                    if (!changed.isEmpty()) {
                        String printed = Output.render(changed, output, columns());
                        // a table's header is printed once, with the first listing
                        spec.commandLine().getOut().print(output == Output.Format.table
                                ? printed.substring(printed.indexOf('\n') + 1) : printed);
                        spec.commandLine().getOut().flush();
                    }
                }
            }
            return ExitCodes.OK;
        }
    }

    @Command(name = "hosts", description = "List the hosts: state, CPU, memory, migration limits.")
    static final class Hosts extends Listing {
        @Option(names = "--state", description = "only hosts in this state (UP, MAINTENANCE, DISABLED, DOWN)")
        String state;

        @Override
        JsonNode rows(Api api) {
            return api.inventoryAll("/hosts" + (state == null ? "" : Api.query(Map.of("state", state))));
        }

        @Override
        List<Output.Column> columns() {
            return List.of(new Output.Column("ID", h -> Output.text(h, "id")), new Output.Column("NAME", h -> Output.text(h, "name")),
                    new Output.Column("CLUSTER", h -> Output.text(h, "clusterId")), new Output.Column("STATE", h -> Output.text(h, "state")),
                    new Output.Column("CPU", h -> Output.text(h, "cpuVendor") + " " + Output.text(h, "cpuModelName")),
                    new Output.Column("MEMORY", h -> Output.bytes(h.path("memoryBytes").asLong())),
                    new Output.Column("LINK", h -> Output.bytes(h.path("linkBandwidthBytesPerSecond").asLong()) + "/s"),
                    new Output.Column("IN/OUT", h -> h.path("maxInboundMigrations").asInt() + "/" + h.path("maxOutboundMigrations").asInt()));
        }
    }

    @Command(name = "vms", description = "List the VMs and where each runs.")
    static final class Vms extends Listing {
        @Option(names = "--host", paramLabel = "HOST", description = "only the VMs on this host (name or id)")
        String host;

        @Override
        JsonNode rows(Api api) {
            return api.inventoryAll("/vms" + (host == null ? "" : "?hostId=" + Names.host(api, host).path("id").asLong()));
        }

        @Override
        List<Output.Column> columns() {
            return List.of(new Output.Column("ID", v -> Output.text(v, "id")), new Output.Column("NAME", v -> Output.text(v, "name")),
                    new Output.Column("HOST", v -> Output.text(v, "hostId")), new Output.Column("STATE", v -> Output.text(v, "state")),
                    new Output.Column("MEMORY", v -> Output.bytes(v.path("memoryBytes").asLong())),
                    new Output.Column("VCPUS", v -> Output.text(v, "vcpus")));
        }
    }

    @Command(name = "migrations", description = "List migrations, newest first: phase, progress, ETA, downtime target.")
    static final class Migrations extends Listing {
        @Option(names = "--phase", description = "only migrations in this phase (QUEUED, RUNNING, SUCCEEDED, FAILED, ...)")
        String phase;

        @Option(names = "--requested-by", paramLabel = "USER", description = "only those this user asked for (name or subject)")
        String requestedBy;

        @Option(names = "--limit", description = "at most this many (default: ${DEFAULT-VALUE})")
        int limit = 50;

        @Override
        JsonNode rows(Api api) {
            Map<String, Object> q = new java.util.LinkedHashMap<>();
            q.put("phase", phase);
            q.put("requestedBy", requestedBy);
            q.put("size", limit);
            return api.scheduler("GET", "/migrations" + Api.query(q), null);
        }

        @Override
        List<Output.Column> columns() {
            return List.of(new Output.Column("ID", m -> Output.text(m, "id")), new Output.Column("VM", m -> Output.text(m, "vmName")),
                    new Output.Column("FROM", m -> Output.text(m, "sourceHostId")), new Output.Column("TO", m -> Output.text(m, "targetHostId")),
                    new Output.Column("PHASE", m -> Output.text(m, "phase")), new Output.Column("ROUND", m -> Output.text(m, "currentRound")),
                    new Output.Column("PROGRESS", m -> String.format(Locale.ROOT, "%.0f%%", m.path("progressPercent").asDouble())),
                    new Output.Column("ETA", m -> m.hasNonNull("etaMillis") && !MigrationWatch.ended(m.path("phase").asText()) ? String.format(Locale.ROOT, "%.1fs", m.get("etaMillis").asLong() / 1000.0) : ""),
                    new Output.Column("DOWNTIME", m -> (m.hasNonNull("downtimeMillis") ? m.get("downtimeMillis").asLong() + "/" : "")
                            + m.path("maxDowntimeMillis").asLong() + "ms"),
                    new Output.Column("BY", m -> m.path("requestedBy").path("name").asText("")));
        }
    }
}
