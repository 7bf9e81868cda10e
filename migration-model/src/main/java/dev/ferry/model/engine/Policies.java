package dev.ferry.model.engine;

import java.util.List;
import java.util.Set;
import java.util.function.LongFunction;

/** Every convergence policy by name; each call builds a fresh instance (policies keep per-migration state). */
public final class Policies {
    public static final List<String> NAMES = List.of("ferry", "qemu-default", "qemu-auto-converge", "xen", "xen-legacy",
            "nova", "kubevirt");
    /**
     * The policies QEMU runs by itself: a driver records their verdicts and applies none of them (the worker's
     * QemuMigration.Mode), so nothing of the engine's, its round cap included, stops such a move; its deadline does.
     */
    public static final Set<String> LEFT_TO_QEMU = Set.of("qemu-default", "qemu-auto-converge");

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
