package dev.ferry.ctl;

import java.io.PrintWriter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every ferryctl command has: the root (settings, the API) and its own output. */
abstract class Subcommand {
    @ParentCommand
    Ferryctl root;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
