package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** ferryctl check VM [--to HOST]: inventory's pre-check verdict, rule by rule, for one host or every candidate. */
@Command(name = "check", description = "Run the pre-checks of moving a VM: the verdict of each rule, per host.")
final class CheckCommand extends Subcommand implements Callable<Integer> {
    @Parameters(paramLabel = "VM", description = "the VM, by name or id")
    String vm;

    @Option(names = "--to", paramLabel = "HOST", description = "this host only (default: every host of the VM's cluster)")
    String to;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "table, json or yaml (default: ${DEFAULT-VALUE})")
    Output.Format output = Output.Format.table;

    @Override
    public Integer call() {
        Api api = root.api();
        JsonNode v = Names.vm(api, vm);
        JsonNode verdicts;
        if (to != null) {
            verdicts = api.inventory("POST", "/vms/" + v.path("id").asLong() + "/compatibility",
                    Map.of("hostIds", List.of(Names.host(api, to).path("id").asLong())));
        } else {
            verdicts = Api.JSON.createArrayNode();
            for (JsonNode candidate : api.inventory("GET", "/vms/" + v.path("id").asLong() + "/candidates", null)) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) verdicts).add(candidate.path("verdict"));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (output != Output.Format.table) {
            out.print(Output.render(verdicts, output, List.of()));
        } else {
            for (JsonNode verdict : verdicts) {
                out.printf("%s (host %d): %s%n", verdict.path("hostName").asText(), verdict.path("hostId").asLong(),
                        verdict.path("compatible").asBoolean() ? "compatible" : "NOT compatible");
                for (JsonNode rule : verdict.path("rules")) {
                    out.printf("  %-4s %-22s %s%n", rule.path("passed").asBoolean() ? "ok" : "FAIL", rule.path("code").asText(),
                            rule.path("message").asText());
                }
            }
            if (verdicts.isEmpty()) {
                out.println("no other host in " + v.path("name").asText() + "'s cluster");
            }
        }
        out.flush();
        boolean any = false;
        for (JsonNode verdict : verdicts) {
            any |= verdict.path("compatible").asBoolean();
        }
        return any ? ExitCodes.OK : ExitCodes.REFUSED;
    }
}
