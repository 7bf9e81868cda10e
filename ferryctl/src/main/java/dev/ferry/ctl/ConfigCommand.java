package dev.ferry.ctl;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** ferryctl config view | set KEY VALUE: the endpoints and identity provider ferryctl uses. */
@Command(name = "config", description = "Show or change ferryctl's settings: endpoints and identity provider.",
        subcommands = {ConfigCommand.View.class, ConfigCommand.Set.class})
final class ConfigCommand implements Runnable {
    @ParentCommand
    Ferryctl root;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a subcommand: view or set");
    }

    @Command(name = "view", description = "Print the settings (tokens left out).")
    static final class View implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Config c = parent.root.config();
            Config shown = Config.YAML.convertValue(Config.YAML.valueToTree(c), Config.class);
            shown.token = c.token == null ? null : "(set)";
            shown.refreshToken = c.refreshToken == null ? null : "(set)";
            spec.commandLine().getOut().print("# " + parent.root.configPath() + "\n" + Config.YAML.writeValueAsString(shown));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "set", description = "Set one of: inventory, scheduler, issuer, client-id.")
    static final class Set implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;

        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "VALUE")
        String value;

        @Override
        public Integer call() {
            Config c = parent.root.config();
            switch (key) {
                case "inventory" -> c.inventory = value;
                case "scheduler" -> c.scheduler = value;
                case "issuer" -> c.issuer = value;
                case "client-id" -> c.clientId = value;
                default -> throw new IllegalArgumentException("no setting '" + key + "': inventory, scheduler, issuer or client-id");
            }
            c.save(parent.root.configPath());
            return ExitCodes.OK;
        }
    }
}
