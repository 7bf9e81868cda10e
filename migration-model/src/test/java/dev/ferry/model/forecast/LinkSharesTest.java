package dev.ferry.model.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import dev.ferry.model.forecast.LinkShares.Flow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LinkSharesTest {
    static final double TEN_GBE = 1.25e9;
    static final double ONE_GBE = 1.25e8;

    @Test
    void twoMigrationsOutOfOneHostSplitItsLink() {
        var shares = LinkShares.maxMin(List.of(Flow.of("a", 1, 2), Flow.of("b", 1, 3)), h -> TEN_GBE);

        assertThat(shares.get("a")).isCloseTo(TEN_GBE / 2, offset(1.0));
        assertThat(shares.get("b")).isCloseTo(TEN_GBE / 2, offset(1.0));
    }

    @Test
    void whatASlowDestinationCannotTakeGoesToTheOthers() {
        // host 1 sends to a 1 GbE host and to a 10 GbE host: the slow one takes 125 MB/s, the other the rest
        Map<Long, Double> link = Map.of(1L, TEN_GBE, 2L, ONE_GBE, 3L, TEN_GBE);
        var shares = LinkShares.maxMin(List.of(Flow.of("slow", 1, 2), Flow.of("fast", 1, 3)), link::get);

        assertThat(shares.get("slow")).isCloseTo(ONE_GBE, offset(1.0));
        assertThat(shares.get("fast")).isCloseTo(TEN_GBE - ONE_GBE, offset(1.0));
    }

    @Test
    void aDestinationReceivingFromTwoHostsIsTheBottleneckOfBoth() {
        // hosts 1 and 2 each send one migration to host 3 and host 2 sends another to host 4
        var shares = LinkShares.maxMin(List.of(Flow.of("1to3", 1, 3), Flow.of("2to3", 2, 3), Flow.of("2to4", 2, 4)), h -> TEN_GBE);

        assertThat(shares.get("1to3")).isCloseTo(TEN_GBE / 2, offset(1.0));
        assertThat(shares.get("2to3")).isCloseTo(TEN_GBE / 2, offset(1.0));
        assertThat(shares.get("2to4")).isCloseTo(TEN_GBE / 2, offset(1.0));
    }

    @Test
    void fullDuplexAHostSendingAndReceivingHasItsLinkEachWay() {
        var shares = LinkShares.maxMin(List.of(Flow.of("out", 1, 2), Flow.of("in", 3, 1)), h -> TEN_GBE);

        assertThat(shares.get("out")).isCloseTo(TEN_GBE, offset(1.0));
        assertThat(shares.get("in")).isCloseTo(TEN_GBE, offset(1.0));
    }

    @Test
    void anOperatorsCapIsKeptAndWhatItLeavesGoesToTheOthers() {
        var shares = LinkShares.maxMin(List.of(new Flow<>("capped", 1, 2, 2e8), Flow.of("free", 1, 3)), h -> TEN_GBE);

        assertThat(shares.get("capped")).isCloseTo(2e8, offset(1.0));
        assertThat(shares.get("free")).isCloseTo(TEN_GBE - 2e8, offset(1.0));
    }

    @Test
    void noNicIsOverbookedAndEveryFlowHasABottleneck() {
        // a random fleet: the two properties that define max-min fairness
        var random = new java.util.Random(7);
        for (int trial = 0; trial < 200; trial++) {
            int hosts = 2 + random.nextInt(6);
            double[] link = new double[hosts];
            for (int h = 0; h < hosts; h++) {
                link[h] = random.nextBoolean() ? TEN_GBE : ONE_GBE;
            }
            List<Flow<Integer>> flows = new java.util.ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(10); i++) {
                int s = random.nextInt(hosts);
                int t = (s + 1 + random.nextInt(hosts - 1)) % hosts;
                flows.add(Flow.of(i, s, t));
            }
            var shares = LinkShares.maxMin(flows, h -> link[(int) h]);
            double[] out = new double[hosts];
            double[] in = new double[hosts];
            for (var f : flows) {
                out[(int) f.sourceHostId()] += shares.get(f.key());
                in[(int) f.targetHostId()] += shares.get(f.key());
            }
            for (int h = 0; h < hosts; h++) {
                assertThat(out[h]).isLessThanOrEqualTo(link[h] * (1 + 1e-9));
                assertThat(in[h]).isLessThanOrEqualTo(link[h] * (1 + 1e-9));
            }
            for (var f : flows) {
                double mine = shares.get(f.key());
                assertThat(mine).isPositive();
                // a bottleneck: a full NIC on its path where no other flow gets more than it does
                boolean bottlenecked = false;
                for (boolean outbound : new boolean[] {true, false}) {
                    int h = (int) (outbound ? f.sourceHostId() : f.targetHostId());
                    double used = outbound ? out[h] : in[h];
                    boolean full = used >= link[h] * (1 - 1e-9);
                    boolean largest = flows.stream().filter(g -> (outbound ? g.sourceHostId() : g.targetHostId()) == h)
                            .allMatch(g -> shares.get(g.key()) <= mine * (1 + 1e-9));
                    bottlenecked |= full && largest;
                }
                assertThat(bottlenecked).as("flow %s of trial %d has a bottleneck", f.key(), trial).isTrue();
            }
        }
    }

    @Test
    void aHostWithoutBandwidthIsAnError() {
        assertThatThrownBy(() -> LinkShares.maxMin(List.of(Flow.of("a", 1, 2)), h -> 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host 1");
    }
}
