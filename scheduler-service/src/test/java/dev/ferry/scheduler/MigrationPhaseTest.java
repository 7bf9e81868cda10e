package dev.ferry.scheduler;

import static dev.ferry.scheduler.model.MigrationPhase.CANCELLED;
import static dev.ferry.scheduler.model.MigrationPhase.FAILED;
import static dev.ferry.scheduler.model.MigrationPhase.OUTCOME_UNKNOWN;
import static dev.ferry.scheduler.model.MigrationPhase.QUEUED;
import static dev.ferry.scheduler.model.MigrationPhase.RUNNING;
import static dev.ferry.scheduler.model.MigrationPhase.SCHEDULED;
import static dev.ferry.scheduler.model.MigrationPhase.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.scheduler.model.IllegalTransitionException;
import dev.ferry.scheduler.model.MigrationPhase;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every pair of phases, and whether a migration may move from the one to the other. */
class MigrationPhaseTest {

    /** The legal moves, written out by hand: everything else must be refused. */
    static final List<MigrationPhase[]> LEGAL = List.of(
            new MigrationPhase[] {null, QUEUED},
            new MigrationPhase[] {QUEUED, SCHEDULED}, new MigrationPhase[] {QUEUED, FAILED}, new MigrationPhase[] {QUEUED, CANCELLED},
            new MigrationPhase[] {SCHEDULED, RUNNING}, new MigrationPhase[] {SCHEDULED, SUCCEEDED},
            new MigrationPhase[] {SCHEDULED, FAILED}, new MigrationPhase[] {SCHEDULED, CANCELLED},
            new MigrationPhase[] {SCHEDULED, OUTCOME_UNKNOWN},
            new MigrationPhase[] {RUNNING, SUCCEEDED}, new MigrationPhase[] {RUNNING, FAILED}, new MigrationPhase[] {RUNNING, CANCELLED},
            new MigrationPhase[] {RUNNING, SCHEDULED}, new MigrationPhase[] {RUNNING, OUTCOME_UNKNOWN},
            new MigrationPhase[] {OUTCOME_UNKNOWN, RUNNING}, new MigrationPhase[] {OUTCOME_UNKNOWN, SUCCEEDED},
            new MigrationPhase[] {OUTCOME_UNKNOWN, FAILED}, new MigrationPhase[] {OUTCOME_UNKNOWN, CANCELLED});

    static List<Arguments> everyPair() {
        List<Arguments> out = new ArrayList<>();
        List<MigrationPhase> from = new ArrayList<>();
        from.add(null);
        from.addAll(EnumSet.allOf(MigrationPhase.class));
        for (MigrationPhase f : from) {
            for (MigrationPhase t : MigrationPhase.values()) {
                boolean legal = LEGAL.stream().anyMatch(p -> p[0] == f && p[1] == t);
                out.add(Arguments.of(f, t, legal));
            }
        }
        return out;
    }

    @ParameterizedTest(name = "{0} -> {1}: legal {2}")
    @MethodSource("everyPair")
    void theTransitionTable(MigrationPhase from, MigrationPhase to, boolean legal) {
        UUID id = UUID.randomUUID();
        if (legal) {
            assertThatCode(() -> MigrationPhase.requireMove(id, from, to, "test")).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> MigrationPhase.requireMove(id, from, to, "a late event"))
                    .isInstanceOf(IllegalTransitionException.class)
                    .hasMessageContaining(id.toString()).hasMessageContaining("to " + to).hasMessageContaining("a late event");
        }
    }

    @ParameterizedTest
    @MethodSource("finals")
    void aFinalPhaseNeverChangesAndOnlyFinalPhasesAreFinal(MigrationPhase phase) {
        assertThat(phase.isFinal()).isTrue();
        assertThat(EnumSet.allOf(MigrationPhase.class)).noneMatch(phase::canMoveTo);
    }

    static Set<MigrationPhase> finals() {
        return EnumSet.of(SUCCEEDED, FAILED, CANCELLED);
    }
}
