package dev.ferry.tools.bench;

import dev.ferry.platform.Layout;
import dev.ferry.platform.Ports;
import dev.ferry.platform.PostgresServer;
import dev.ferry.platform.Supervised;
import dev.ferry.platform.Trees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What one of the scheduler's schema scripts costs a running fleet at upgrade: the script run, as Flyway runs it at the
 * service's start (in one transaction), against a history of many ended migrations, while another connection updates a
 * running migration's row every 100 ms, as an older replica still applying round events would. The script's time, each
 * statement's, and the longest the round update waited. A PostgreSQL of its own under a temporary directory. The
 * scheduler's own scripts ({@code db/migration}) before the measured one are applied with JDBC; the messaging module's,
 * in a location of their own ({@code db/messaging}: outbox, lease, consumed events), are not. The history is written
 * with set-based SQL into the migration table alone: a script that touches other tables meets them empty. A command, not a test:
 * {@code ./ferry bench-schema-upgrade [ended-migrations] [version] [repeats]} writes docs/benchmarks/schema-upgrade.md.
 */
public final class SchemaUpgradeBenchmark {
    static final Path SCRIPTS = Path.of("scheduler-service/src/main/resources/db/migration");
    private static final Duration PROBE_EVERY = Duration.ofMillis(100);

    /** One run of the script: each statement's time, the whole, and the round updates beside it. */
    record Run(List<Long> statementMillis, long totalMillis, long longestWaitMillis, int probes, int probesOverOneSecond) {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "docs/benchmarks");
        int ended = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
        Path root = Path.of(System.getProperty("ferry.root", ".")).toAbsolutePath().normalize();
        List<Path> scripts = UpgradeScripts.inOrder(root.resolve(SCRIPTS));
        int version = args.length > 2 ? Integer.parseInt(args[2]) : UpgradeScripts.version(scripts.get(scripts.size() - 1));
        int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        Path measured = scripts.stream().filter(p -> UpgradeScripts.version(p) == version).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no script V" + version + " in " + SCRIPTS));
        Path state = Files.createTempDirectory("ferry-bench-schema");
        Layout layout = new Layout(root, state, Map.of("FERRY_DB_PORT", Integer.toString(Ports.free())));
        Supervised postgres = PostgresServer.start(layout.data().resolve("postgres"), layout.dbPort(), layout.log("postgres"),
                Duration.ofSeconds(120));
        Thread cleanUp = new Thread(() -> stop(postgres, state), "bench-clean-up");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        try {
            int port = layout.dbPort();
            try (Connection c = connect(port, "postgres"); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE history");
            }
            long fillStart = System.nanoTime();
            String size;
            try (Connection c = connect(port, "history"); Statement s = c.createStatement()) {
                for (Path p : scripts) {
                    if (UpgradeScripts.version(p) < version) {
                        s.execute(Files.readString(p));
                    }
                }
                s.execute(HISTORY.replace(":n", Integer.toString(ended)));
                s.execute(UNDER_WAY);
                s.execute("VACUUM ANALYZE migration"); // as autovacuum would have left a table that old
                try (ResultSet rs = s.executeQuery("SELECT pg_size_pretty(pg_relation_size('migration')), "
                        + "pg_size_pretty(pg_total_relation_size('migration'))")) {
                    rs.next();
                    size = rs.getString(1) + " of rows, " + rs.getString(2) + " with its indexes";
                }
            }
            System.err.printf("history of %,d ended migrations written in %.1f s (%s)%n", ended, (System.nanoTime() - fillStart) / 1e9, size);
            List<String> statements = UpgradeScripts.statements(Files.readString(measured));
            List<Run> runs = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                try (Connection c = connect(port, "postgres"); Statement s = c.createStatement()) {
                    s.execute("DROP DATABASE IF EXISTS upgrade");
                    s.execute("CREATE DATABASE upgrade TEMPLATE history");
                }
                Run run = upgrade(port, statements);
                runs.add(run);
                System.err.printf("run %d: %d ms, a round update waited %d ms at most%n", r + 1, run.totalMillis(), run.longestWaitMillis());
            }
            Files.createDirectories(out);
            Path file = out.resolve("schema-upgrade.md");
            Files.writeString(file, report(measured.getFileName().toString(), statements, ended, size, runs, version));
            System.err.println("wrote " + file);
        } finally {
            stop(postgres, state);
            Runtime.getRuntime().removeShutdownHook(cleanUp);
        }
    }

    /** The script in one transaction, statement by statement, with the round-update probe on its own connection. */
    static Run upgrade(int port, List<String> statements) throws Exception {
        List<Long> waits = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<RuntimeException> failed = new AtomicReference<>();
        Thread probe = new Thread(() -> {
            try {
                probe(port, waits, done);
            } catch (RuntimeException e) {
                failed.set(e);
            }
        }, "round-update-probe");
        probe.start();
        List<Long> times = new ArrayList<>();
        long total;
        try (Connection c = connect(port, "upgrade"); Statement s = c.createStatement()) {
            Thread.sleep(PROBE_EVERY.toMillis() * 3); // the probe's first updates, before the script, as the baseline
            long begun = System.nanoTime();
            c.setAutoCommit(false);
            for (String sql : statements) {
                long t = System.nanoTime();
                s.execute(sql);
                times.add((System.nanoTime() - t) / 1_000_000);
            }
            c.commit();
            total = (System.nanoTime() - begun) / 1_000_000;
            Thread.sleep(PROBE_EVERY.toMillis() * 3);
        } finally {
            done.set(true);
            probe.join();
        }
        if (failed.get() != null) {
            throw failed.get(); // a run whose probe broke says nothing about the wait
        }
        List<Long> w;
        synchronized (waits) {
            w = List.copyOf(waits);
        }
        return new Run(times, total, w.stream().mapToLong(Long::longValue).max().orElse(0), w.size(),
                (int) w.stream().filter(x -> x > 1000).count());
    }

    /** Every 100 ms, one round's UPDATE of a running migration, autocommitted, timed; until {@code done}. */
    private static void probe(int port, List<Long> waits, AtomicBoolean done) {
        try (Connection c = connect(port, "upgrade"); Statement s = c.createStatement()) {
            UUID id;
            try (ResultSet rs = s.executeQuery("SELECT id FROM migration WHERE phase = 'RUNNING' LIMIT 1")) {
                rs.next();
                id = rs.getObject(1, UUID.class);
            }
            try (PreparedStatement u = c.prepareStatement("UPDATE migration SET current_round = current_round + 1, "
                    + "bytes_sent = bytes_sent + 1048576, updated_at = now() WHERE id = ?")) {
                u.setObject(1, id);
                while (!done.get()) {
                    long t = System.nanoTime();
                    u.executeUpdate();
                    waits.add((System.nanoTime() - t) / 1_000_000);
                    Thread.sleep(PROBE_EVERY.toMillis());
                }
            }
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException("the round-update probe failed: " + e.getMessage(), e);
        }
    }

    static String report(String script, List<String> statements, int ended, String size, List<Run> runs, int version) {
        StringBuilder md = new StringBuilder();
        md.append("# A schema script at upgrade, against a large history\n\n");
        // every parameter, defaults included: once a newer script exists the bare command measures that one
        md.append("`./ferry bench-schema-upgrade ").append(ended).append(' ').append(version).append(' ').append(runs.size())
                .append("`, ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(", ")
                .append(Machine.describe()).append(", PostgreSQL of the local platform (embedded binaries, ").append(PostgresServer.DURABILITY).append(").\n\n");
        md.append(String.format(Locale.ROOT, "`%s`, run in one transaction as Flyway runs it, against %,d ended migrations "
                + "and 1,000 running (%s), while another connection updates a running migration's row every 100 ms as a "
                + "round event does. %d runs, each on a fresh copy of the same database.%n%n", script, ended, size, runs.size()));
        md.append("| statement |");
        for (int r = 0; r < runs.size(); r++) {
            md.append(" run ").append(r + 1).append(" (ms) |");
        }
        md.append("\n|---|").append("---:|".repeat(runs.size())).append('\n');
        for (int i = 0; i < statements.size(); i++) {
            md.append("| `").append(UpgradeScripts.abbreviate(statements.get(i), 70)).append("` |");
            for (Run run : runs) {
                md.append(String.format(Locale.ROOT, " %,d |", run.statementMillis().get(i)));
            }
            md.append('\n');
        }
        md.append("| **the script, commit included** |");
        runs.forEach(run -> md.append(String.format(Locale.ROOT, " **%,d** |", run.totalMillis())));
        md.append("\n| the longest a round update waited |");
        runs.forEach(run -> md.append(String.format(Locale.ROOT, " %,d |", run.longestWaitMillis())));
        md.append("\n| round updates over 1 s, of those tried |");
        runs.forEach(run -> md.append(String.format(Locale.ROOT, " %d of %d |", run.probesOverOneSecond(), run.probes())));
        md.append("\n\nWhat it means for an upgrade: docs/DEPLOY.md, \"Upgrading\".\n");
        return md.toString();
    }

    private static Connection connect(int port, String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, "postgres", "postgres");
    }

    private static synchronized void stop(Supervised postgres, Path state) {
        postgres.stop(Supervised.Signal.INT, Duration.ofSeconds(30));
        try {
            Trees.delete(state);
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
        }
    }

    /**
     * Ended migrations spread over the last 30 days (the default history), each row as wide as a real one: every column
     * a finished migration fills, with texts of the lengths the scheduler writes. One in 20 failed, one in 100 cancelled.
     */
    static final String HISTORY = """
            INSERT INTO migration (id, idempotency_key, vm_id, vm_name, memory_bytes, source_host_id, target_host_id,
              target_reason, reservation_id, link_bandwidth_bytes_per_second, max_downtime_millis, phase, attempt, driver,
              worker_id, current_round, bytes_sent, remaining_bytes, dirty_rate_pages_per_second, bandwidth_bytes_per_second,
              expected_downtime_millis, throttle_percent, progress_percent, downtime_millis, total_time_millis, failure_reason,
              last_sequence, created_at, updated_at, version, priority, predicted_rounds, predicted_total_time_millis,
              predicted_downtime_millis, prediction_basis, mode, abort_status, target_choice, run, requested_by,
              requested_by_subject, policy, predicted_converges, vcpus, source_link_bytes_per_second,
              target_link_bytes_per_second, trace_parent, attempt_running_since)
            SELECT gen_random_uuid(), 'key-' || g, g % 100000, 'vm-' || g, 4294967296, g % 5000, (g + 7) % 5000,
              'placement: most free memory among 12 compatible hosts in cluster c-' || (g % 50) || ', 3 of 10 inbound slots used',
              g, 125000000, 300,
              CASE WHEN g % 20 = 0 THEN 'FAILED' WHEN g % 50 = 0 THEN 'CANCELLED' ELSE 'SUCCEEDED' END, 1, 'simulated',
              'worker-' || (g % 3), 7, 5000000000, 0, 1200.5, 118000000.0, 120, 0, 100, 95, 41000,
              CASE WHEN g % 20 = 0 THEN 'worker worker-1: the destination refused the incoming migration: connection reset' END,
              9, now() - (g % 2592000) * interval '1 second', now() - (g % 2592000) * interval '1 second' + interval '40 seconds',
              12, 'USER', 7, 40000, 110,
              'measured writing 4.7 MiB/s over 2 s before the start; link share 118 MB/s; saturating fit a=0.8 b=0.02',
              'PRE_COPY', 'NONE', 'PLACEMENT', 1, 'operator', 'a1b2c3d4-0000-1111-2222-333344445555', 'ferry', true, 4,
              125000000, 125000000, '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
              now() - (g % 2592000) * interval '1 second'
            FROM generate_series(1, :n) g""";

    /** A thousand migrations under way, which the older replica goes on updating through the upgrade. */
    static final String UNDER_WAY = """
            INSERT INTO migration (id, vm_id, vm_name, memory_bytes, source_host_id, target_host_id, target_reason,
              link_bandwidth_bytes_per_second, max_downtime_millis, phase, attempt, remaining_bytes, created_at, updated_at)
            SELECT gen_random_uuid(), 200000 + g, 'run-' || g, 4294967296, g % 200, (g + 1) % 200, 'placement', 125000000, 300,
              'RUNNING', 1, 1000000, now(), now()
            FROM generate_series(1, 1000) g""";
}
