package dev.ferry.model.forecast;

import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Hypervisor;
import dev.ferry.model.engine.Link;
import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.engine.Policies;
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

    /**
     * QEMU's defaults and auto-converge run on until they converge or the worker cancels them at the deadline: the
     * driver applies none of their verdicts, the engine's cap of {@value PreCopyEngine#ROUND_CAP} among them (the
     * fourteenth real-guest run had QEMU's defaults at 161 syncs in 31 s). The forecast cancels at the deadline as the
     * worker does; this bound only keeps a forecast without one short: a guest that has not converged in 500 of QEMU's
     * passes does not.
     */
    static final int QEMUS_OWN_ROUND_CAP = 500;

    /** @param throttleLagSeconds how late QEMU applies a throttle a driver asks for ({@link DirtyModel#QEMU_THROTTLE_LAG_SECONDS}) */
    public static PreCopyEngine engine(Hypervisor guest, ConvergencePolicy policy, Link link, MigrationLimits limits,
            double throttleLagSeconds) {
        var lagged = new LateThrottle(guest, policy.throttlesAtTheHypervisorsCheck() ? 0 : throttleLagSeconds);
        return new PreCopyEngine(lagged, new QemuStopRule(policy), link, limits, PreCopyEngine.Passes.QEMU,
                Policies.LEFT_TO_QEMU.contains(policy.name()) ? QEMUS_OWN_ROUND_CAP : PreCopyEngine.ROUND_CAP);
    }
}
