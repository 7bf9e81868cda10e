package dev.ferry.ctl;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * ferryctl: Ferry from a terminal, on the public APIs only, in the conventions of kubectl and virtctl. Endpoints and
 * tokens come from the config file ({@link Config}), overridden by options and by {@code FERRY_INVENTORY_URL},
 * {@code FERRY_SCHEDULER_URL} and {@code FERRY_TOKEN}. Exit statuses: {@link ExitCodes}.
 */
@Command(name = "ferryctl", mixinStandardHelpOptions = true, version = "ferryctl 0.1.0",
        description = "Drive Ferry, the live-migration orchestrator, from a terminal.",
        footer = {"", "Exit status: 0 done, 2 usage, 3 refused, 4 failed, 5 cancelled, 6 timed out, 7 unavailable,",
                "8 outcome unknown, 9 not signed in."},
        subcommands = {ListCommands.Hosts.class, ListCommands.Vms.class, ListCommands.Migrations.class, CheckCommand.class,
                MigrateCommand.class, ActionCommands.Cancel.class, ActionCommands.ForceComplete.class, EvacuateCommand.class,
                RebalanceCommand.class, RuleCommands.Rules.class, RuleCommands.Rule.class,
                EventsCommand.class, LoginCommand.class, ConfigCommand.class, CommandLine.HelpCommand.class,
                CompletionCommand.class})
public final class Ferryctl implements Runnable {
    @Option(names = "--config", paramLabel = "FILE", description = "settings file (default: $FERRYCTL_CONFIG or ~/.config/ferry/ferryctl.yaml)")
    Path configFile;

    @Option(names = "--inventory", paramLabel = "URL", description = "inventory-service's API (default: from the config file)")
    String inventory;

    @Option(names = "--scheduler", paramLabel = "URL", description = "scheduler-service's API (default: from the config file)")
    String scheduler;

    private final Map<String, String> env;
    private final boolean terminal;
    private Api api;
    private Config config;
    /** The migration the last migrate command asked for (./ferry demo reads it). */
    private String lastMigration;

    Ferryctl(Map<String, String> env, boolean terminal) {
        this.env = env;
        this.terminal = terminal;
    }

    /** A ferryctl that reads its settings from this environment ($FERRYCTL_CONFIG, $FERRY_TOKEN, ...), not a terminal's. */
    public static Ferryctl of(Map<String, String> env) {
        return new Ferryctl(env, false);
    }

    /** A ferryctl that calls these endpoints with this token, whatever the config file says (./ferry demo's). */
    public static Ferryctl with(Api api) {
        Ferryctl f = new Ferryctl(Map.of(), System.console() != null);
        f.api = api;
        return f;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: ferryctl --help lists them");
    }

    Api api() {
        if (api == null) {
            Config c = config();
            Session session = new Session(c, configPath(), env.get("FERRY_TOKEN"), Clock.systemUTC());
            api = new Api(first(inventory, env.get("FERRY_INVENTORY_URL"), c.inventory),
                    first(scheduler, env.get("FERRY_SCHEDULER_URL"), c.scheduler), session::token);
        }
        return api;
    }

    Config config() {
        if (config == null) {
            config = Config.load(configPath());
        }
        return config;
    }

    Path configPath() {
        return configFile != null ? configFile : Config.defaultPath(env);
    }

    Session session() {
        return new Session(config(), configPath(), null, Clock.systemUTC());
    }

    public String lastMigration() {
        return lastMigration;
    }

    void migrated(String id) {
        lastMigration = id;
    }

    boolean terminal() {
        return terminal;
    }

    /** The command line, with ferryctl's exit statuses for every failure; {@code out} and {@code err} as given. */
    public CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(this);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            line.getErr().println("error: " + e.getMessage());
            if (e instanceof Api.Refused r) {
                r.problem.path("failedRules").forEach(rule -> line.getErr().println("  - " + rule.path("code").asText() + ": "
                        + rule.path("message").asText()));
                r.problem.path("violations").forEach(v -> line.getErr().println("  - " + v.path("field").asText() + ": "
                        + v.path("message").asText()));
                if (r.problem.path("type").asText().endsWith("/predicted-not-to-converge")) {
                    if (r.problem.path("suggestions").size() > 0) {
                        line.getErr().println("Predicted to converge with one of these changes, least disruptive first:");
                        r.problem.path("suggestions").forEach(s -> line.getErr().println("  - " + MigrateCommand.suggestion(s)));
                    }
                    line.getErr().println("To start it as it is, add --force.");
                }
            }
            line.getErr().flush();
            return ExitCodes.of(e);
        });
        return cl;
    }

    /** Runs one command line; returns its exit status. */
    public int execute(PrintWriter out, PrintWriter err, String... args) {
        int status = commandLine(out, err).execute(args);
        out.flush();
        err.flush();
        return status;
    }

    private static String first(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }

    public static void main(String[] args) {
        Ferryctl ferryctl = new Ferryctl(System.getenv(), System.console() != null);
        System.exit(ferryctl.execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
    }
}
