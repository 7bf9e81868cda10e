package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** ferryctl cancel | force-complete ID: an operator's request about a running migration. */
final class ActionCommands {
    private ActionCommands() {
    }

    abstract static class Action extends Subcommand implements Callable<Integer> {
        @Parameters(paramLabel = "ID", description = "the migration's id")
        String id;

        abstract String path();

        @Override
        public Integer call() {
            JsonNode m = root.api().scheduler("POST", "/migrations/" + id + "/" + path(), null);
            spec.commandLine().getOut().printf("%s: %s%s%n", m.path("id").asText(id), m.path("phase").asText(),
                    m.hasNonNull("abortStatus") && !"NONE".equals(m.get("abortStatus").asText())
                            ? " (cancel " + m.get("abortStatus").asText().toLowerCase(java.util.Locale.ROOT) + ")" : "");
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "cancel", description = "Cancel a migration; the VM stays on (or returns to) its source.")
    static final class Cancel extends Action {
        @Override
        String path() {
            return "cancel";
        }
    }

    @Command(name = "force-complete", description = "Stop the live rounds now: pause the VM and copy what remains.")
    static final class ForceComplete extends Action {
        @Override
        String path() {
            return "force-complete";
        }
    }
}
