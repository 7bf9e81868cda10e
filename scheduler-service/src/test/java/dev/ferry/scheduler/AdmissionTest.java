package dev.ferry.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.model.engine.MigrationLimits;
import dev.ferry.model.forecast.DirtyModel;
import dev.ferry.scheduler.plan.Admission;
import dev.ferry.scheduler.plan.Admission.Alternative;
import dev.ferry.scheduler.plan.Admission.Case;
import dev.ferry.scheduler.plan.Admission.Suggestion;
import dev.ferry.scheduler.plan.Admission.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdmissionTest {
    static final long GIB = 1L << 30;
    static final long MIB = 1L << 20;
    static final double GBE = 125_000_000;
    static final double TEN_GBE = 1_250_000_000;
    /** A 1 GiB working set written at 1.3x a 1 GbE link: it never converges there without help. */
    static final DirtyModel HOT = new DirtyModel(GIB / 4096, 1.3 * GBE / 4096, "learned");
    static final List<Alternative> HOSTS = List.of(new Alternative(3, "hv-3", GBE), new Alternative(9, "hv-9", TEN_GBE));

    @Test
    void aVmThatConvergesWithinItsLimitsIsAdmittedAsItIs() {
        var c = new Case(4 * GIB, GBE, MigrationLimits.defaults(300), DirtyModel.typical(4 * GIB, GBE), "ferry");

        Verdict v = Admission.judge(c, HOSTS, 1000);

        assertThat(v.admitted()).isTrue();
        assertThat(v.why()).isNull();
        assertThat(v.suggestions()).isEmpty();
    }

    @Test
    void aVmNeverSeenIsNotRefusedOnTheTypicalAssumptionAlone() {
        // assumed to dirty at 40 % of its source's 10 GbE, QEMU's default is forecast not to converge over 1 GbE; but
        // nothing was measured of this VM
        var c = new Case(4 * GIB, GBE, MigrationLimits.defaults(300), DirtyModel.typical(4 * GIB, TEN_GBE), "qemu-default");

        Verdict v = Admission.judge(c, HOSTS, 1000);

        assertThat(v.forecast().converges()).isFalse();
        assertThat(v.admitted()).isTrue();
    }

    @Test
    void aVmThatWouldGiveUpIsRefusedWithEveryChangeThatWouldMakeItConvergeLeastDisruptiveFirst() {
        var limits = MigrationLimits.defaults(300).withMaxThrottle(0);
        var c = new Case(4 * GIB, GBE, limits, HOT, "ferry");

        Verdict v = Admission.judge(c, HOSTS, 1000);

        assertThat(v.admitted()).isFalse();
        assertThat(v.forecast().converges()).isFalse();
        assertThat(v.why()).contains("policy ferry would give up after").contains("against a 119 MiB/s link").contains("learned");
        // a longer pause cannot help: a 1 GiB working set takes 8 s to send at 1 GbE, far over the 1000 ms allowed
        assertThat(v.suggestions()).extracting(Suggestion::field)
                .containsExactly("targetHostId", "throttleCeilingPercent", "allowPostCopy");
        assertThat(v.suggestions().get(0).value()).isEqualTo(9L);
        assertThat(v.suggestions().get(0).change()).contains("hv-9");
        assertThat(v.suggestions()).allSatisfy(s -> assertThat(s.forecast().converges()).isTrue());
    }

    @Test
    void theSuggestedThrottleCeilingIsTheLowestThatConverges() {
        var limits = MigrationLimits.defaults(300).withMaxThrottle(10);
        var c = new Case(4 * GIB, GBE, limits, HOT, "ferry");

        Suggestion s = Admission.judge(c, List.of(), 1000).suggestions().stream()
                .filter(x -> x.field().equals("throttleCeilingPercent")).findFirst().orElseThrow();

        int ceiling = ((Number) s.value()).intValue();
        assertThat(ceiling).isGreaterThan(10).isLessThanOrEqualTo(99);
        assertThat(Admission.withinLimits(new Case(4 * GIB, GBE, limits.withMaxThrottle(ceiling), HOT, "ferry").forecast(),
                limits)).isTrue();
        int stepBelow = ceiling == 99 ? 95 : ceiling - 5; // the steps are multiples of 5, the last one QEMU's 99
        assertThat(Admission.withinLimits(new Case(4 * GIB, GBE, limits.withMaxThrottle(stepBelow), HOT, "ferry").forecast(),
                limits)).isFalse();
    }

    @Test
    void aPauseJustOverTheTargetIsCuredByTheShortestLongerTargetTheOperatorsAllow() {
        // 40 MiB rewritten faster than the link: QEMU's default ends up sending the whole set in the pause, about 350 ms
        var small = new DirtyModel(40 * MIB / 4096, 2 * GBE / 4096, "learned");
        var c = new Case(4 * GIB, GBE, MigrationLimits.defaults(300), small, "qemu-default");

        Verdict v = Admission.judge(c, List.of(), 1000);

        assertThat(v.admitted()).isFalse();
        Suggestion first = v.suggestions().get(0);
        assertThat(first.field()).isEqualTo("maxDowntimeMillis");
        long target = (Long) first.value();
        assertThat(target).isBetween(310L, 1000L);
        assertThat(target % 10).isZero();
        assertThat(first.forecast().downtimeMillis()).isLessThanOrEqualTo(target);
        var justBelow = MigrationLimits.defaults(target - 10);
        assertThat(Admission.withinLimits(new Case(4 * GIB, GBE, justBelow, small, "qemu-default").forecast(), justBelow)).isFalse();
        // nor may it suggest more than the operators allow
        assertThat(Admission.judge(c, List.of(), target - 10).suggestions()).extracting(Suggestion::field)
                .doesNotContain("maxDowntimeMillis");
    }

    @Test
    void aReferencePolicyThatNeverThrottlesIsToldThatFerrysWouldConverge() {
        var c = new Case(4 * GIB, GBE, MigrationLimits.defaults(300), HOT, "qemu-default");

        Verdict v = Admission.judge(c, List.of(), 1000);

        assertThat(v.admitted()).isFalse();
        assertThat(v.suggestions()).extracting(Suggestion::field).containsExactly("policy");
        assertThat(v.suggestions().get(0).value()).isEqualTo("ferry");
    }

    @Test
    void aDeadlineTooShortForTheMemoryIsRefusedAndAFasterLinkSuggested() {
        var limits = MigrationLimits.defaults(300).withDeadline(10);
        var idle = new DirtyModel(1, 0, "measured");
        // 4 GiB at 1 GbE takes 34 s; at 10 GbE 3.4 s
        var c = new Case(4 * GIB, GBE, limits, idle, "ferry");

        Verdict v = Admission.judge(c, HOSTS, 1000);

        assertThat(v.admitted()).isFalse();
        assertThat(v.suggestions()).extracting(Suggestion::field).contains("targetHostId");
    }
}
