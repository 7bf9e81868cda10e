package dev.ferry.inventory.precheck;

import java.util.List;

/** Every rule's result for one VM and one target host, with the failed ones pulled out. */
public record Verdict(long hostId, String hostName, boolean compatible, List<RuleResult> failed, List<RuleResult> rules) {

    public static Verdict of(long hostId, String hostName, List<RuleResult> rules) {
        List<RuleResult> failed = rules.stream().filter(r -> !r.passed()).toList();
        return new Verdict(hostId, hostName, failed.isEmpty(), failed, List.copyOf(rules));
    }
}
