package dev.ferry.inventory.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import java.util.List;

/** Every rule's result for one VM and one target host, with the failed ones pulled out. */
@Schema(example = "{\"hostId\": 4, \"hostName\": \"hv-04\", \"compatible\": false, \"failed\": [{\"code\": \"CPU_VENDOR\", \"passed\": false, \"message\": \"CPU vendor differs: VM runs on GenuineIntel (Intel Xeon 5130), hv-04 has AuthenticAMD (AMD Opteron 2218)\"}], \"rules\": [{\"code\": \"CPU_VENDOR\", \"passed\": false, \"message\": \"CPU vendor differs: VM runs on GenuineIntel (Intel Xeon 5130), hv-04 has AuthenticAMD (AMD Opteron 2218)\"}, {\"code\": \"TARGET_UP\", \"passed\": true, \"message\": \"target is UP\"}]}")
public record Verdict(long hostId, String hostName, boolean compatible, List<RuleResult> failed, List<RuleResult> rules) {

    public static Verdict of(long hostId, String hostName, List<RuleResult> rules) {
        List<RuleResult> failed = rules.stream().filter(r -> !r.passed()).toList();
        return new Verdict(hostId, hostName, failed.isEmpty(), failed, List.copyOf(rules));
    }

    /**
     * Why the VM cannot go to this host, each failed rule named with its sentence: what every refusal says, so that an
     * operator reads "MEMORY_CAPACITY: ..." and not "1 rule(s) failed".
     */
    public String refusal(String vmName) {
        return "VM " + vmName + " cannot migrate to " + hostName + ": " + failed.stream()
                .map(r -> r.code() + ": " + r.message()).collect(java.util.stream.Collectors.joining("; "));
    }
}
