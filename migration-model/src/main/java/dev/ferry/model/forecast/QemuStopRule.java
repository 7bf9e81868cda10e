package dev.ferry.model.forecast;

import dev.ferry.model.engine.ConvergencePolicy;
import dev.ferry.model.engine.Decision;
import dev.ferry.model.engine.MigrationContext;
import dev.ferry.model.engine.QemuDefaultPolicy;
import dev.ferry.model.engine.RoundRecord;
import java.util.List;

/**
 * A policy a driver steers on QEMU. The drivers leave QEMU's own stop rule armed at the downtime target
 * (downtime-limit), so QEMU switches over at the end of any pass whose pending fits bandwidth x target, before the
 * policy would have taken another round to shorten the pause. A forecast of a move QEMU runs stops there too.
 */
final class QemuStopRule implements ConvergencePolicy {
    private final ConvergencePolicy policy;
    private final QemuDefaultPolicy rule = new QemuDefaultPolicy();

    QemuStopRule(ConvergencePolicy policy) {
        this.policy = policy;
    }

    @Override
    public String name() {
        return policy.name();
    }

    @Override
    public Decision decide(List<RoundRecord> rounds, MigrationContext context) {
        Decision qemu = rule.decide(rounds, context);
        return qemu.action() == Decision.Action.STOP_AND_COPY ? Decision.stop("QEMU's rule: " + qemu.reason())
                : policy.decide(rounds, context);
    }

    @Override
    public boolean throttlesAtTheHypervisorsCheck() {
        return policy.throttlesAtTheHypervisorsCheck();
    }

    @Override
    public boolean skipsRedirtiedPages() {
        return policy.skipsRedirtiedPages();
    }
}
