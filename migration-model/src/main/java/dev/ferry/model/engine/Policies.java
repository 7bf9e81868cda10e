package dev.ferry.model.engine;

import java.util.List;
import java.util.function.LongFunction;

/** Every convergence policy by name; each call builds a fresh instance (policies keep per-migration state). */
public final class Policies {
    public static final List<String> NAMES = List.of("ferry", "qemu-default", "qemu-auto-converge", "xen", "xen-legacy",
            "nova", "kubevirt");

    private Policies() {
    }

    /** @param memoryBytes the guest's memory: Nova scales its delays by it */
    public static ConvergencePolicy create(String name, long memoryBytes) {
        LongFunction<ConvergencePolicy> factory = switch (name) {
            case "ferry" -> m -> new FerryPolicy();
            case "qemu-default" -> m -> new QemuDefaultPolicy();
            case "qemu-auto-converge" -> m -> new QemuAutoConvergePolicy();
            case "xen" -> m -> new XenPolicy();
            case "xen-legacy" -> m -> new XenLegacyPolicy();
            case "nova" -> NovaPolicy::new;
            case "kubevirt" -> m -> new KubeVirtPolicy();
            default -> throw new IllegalArgumentException("no policy named '" + name + "'; known: " + NAMES);
        };
        return factory.apply(memoryBytes);
    }
}
