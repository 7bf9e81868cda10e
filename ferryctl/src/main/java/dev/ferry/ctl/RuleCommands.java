package dev.ferry.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** ferryctl rules | rule: the operators' placement rules, listed, created and deleted on inventory's API. */
final class RuleCommands {
    private RuleCommands() {
    }

    @Command(name = "rules", description = "List the placement rules: VMs together, apart, or only on some hosts.")
    static final class Rules extends ListCommands.Listing {
        @Override
        JsonNode rows(Api api) {
            return api.inventoryAll("/placement-rules");
        }

        @Override
        List<Output.Column> columns() {
            return List.of(new Output.Column("ID", r -> Output.text(r, "id")), new Output.Column("NAME", r -> Output.text(r, "name")),
                    new Output.Column("KIND", r -> Output.text(r, "kind")), new Output.Column("VMS", r -> ids(r.path("vmIds"))),
                    new Output.Column("HOSTS", r -> ids(r.path("hostIds"))));
        }

        private static String ids(JsonNode list) {
            List<String> out = new ArrayList<>();
            list.forEach(n -> out.add(n.asText()));
            return out.isEmpty() ? "-" : String.join(",", out);
        }
    }

    @Command(name = "rule", description = "Create a placement rule (VMs --together on one host, --apart, or --on-hosts only), "
            + "or --delete one. Every later move honours it; a move it blocks is refused with its name.")
    static final class Rule extends Subcommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME", description = "the rule's name")
        String name;

        @Parameters(index = "1..*", paramLabel = "VM", description = "the VMs it binds, by name or id")
        List<String> vms = new ArrayList<>();

        @ArgGroup(exclusive = true, multiplicity = "1")
        Kind kind;

        static final class Kind {
            @Option(names = "--together", description = "the VMs run on one host")
            boolean together;

            @Option(names = "--apart", description = "no two of the VMs run on one host")
            boolean apart;

            @Option(names = "--on-hosts", split = ",", paramLabel = "HOST", description = "the VMs run only on these hosts (names or ids, comma-separated)")
            List<String> onHosts;

            @Option(names = "--delete", description = "delete the rule of this name")
            boolean delete;
        }

        @Override
        public Integer call() {
            Api api = root.api();
            if (kind.delete) {
                JsonNode rule = named(api, name);
                api.inventory("DELETE", "/placement-rules/" + rule.path("id").asLong(), null);
                out().printf("Deleted placement rule %s%n", name);
                out().flush();
                return ExitCodes.OK;
            }
            if (vms.isEmpty()) {
                throw new IllegalArgumentException("name the VMs the rule binds after its name");
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("kind", kind.together ? "TOGETHER" : kind.apart ? "APART" : "ON_HOSTS");
            body.put("vmIds", vms.stream().map(v -> Names.vm(api, v).path("id").asLong()).toList());
            if (kind.onHosts != null) {
                body.put("hostIds", kind.onHosts.stream().map(h -> Names.host(api, h).path("id").asLong()).toList());
            }
            JsonNode created = api.inventory("POST", "/placement-rules", body);
            out().printf("Placement rule %s (id %d): %s %s%s%n", name, created.path("id").asLong(), String.join(", ", vms),
                    kind.together ? "together on one host" : kind.apart ? "apart, one per host" : "only on",
                    kind.onHosts != null ? " " + String.join(", ", kind.onHosts) : "");
            out().flush();
            return ExitCodes.OK;
        }

        private static JsonNode named(Api api, String name) {
            for (JsonNode r : api.inventoryAll("/placement-rules")) {
                if (name.equals(r.path("name").asText())) {
                    return r;
                }
            }
            throw new IllegalArgumentException("no placement rule named '" + name + "' (ferryctl rules lists them)");
        }
    }
}
