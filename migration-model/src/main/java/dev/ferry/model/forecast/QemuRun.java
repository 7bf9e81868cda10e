package dev.ferry.model.forecast;

import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Hypervisor;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.PreCopyEngine;

/**
 * The engine standing in for a move QEMU runs, under any policy a driver steers there: QEMU's own passes
 * ({@link PreCopyEngine.Passes#QEMU}), its stop rule left armed at the target ({@link QemuStopRule}), and a throttle the
 * policy asks for felt as late as QEMU applies it ({@link LateThrottle}; at once for a policy whose throttle is QEMU's
 * own, auto-converge). One home, for the scheduler's forecasts and for the simulator's fidelity to real QEMU.
 */
public final class QemuRun {
    private QemuRun() {
    }

    /** @param throttleLagSeconds how late QEMU applies a throttle a driver asks for ({@link DirtyModel#QEMU_THROTTLE_LAG_SECONDS}) */
    public static PreCopyEngine engine(Hypervisor guest, ConvergencePolicy policy, Link link, MigrationLimits limits,
            double throttleLagSeconds) {
        var lagged = new LateThrottle(guest, policy.throttlesAtTheHypervisorsCheck() ? 0 : throttleLagSeconds);
        return new PreCopyEngine(lagged, new QemuStopRule(policy), link, limits, PreCopyEngine.Passes.QEMU);
    }
}
