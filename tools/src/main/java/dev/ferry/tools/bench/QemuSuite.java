package dev.ferry.tools.bench;

import dev.ferry.tools.bench.QemuBenchmark.Load;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the real-guest suite runs: every write pattern of the test guest (guest/init.c) at a rate below, near and above
 * the link, plus the sequential guest far above a slow link (the case the goal names). None of the patterns is
 * defined by Ferry's model: each is a program that writes pages, and how many distinct pages it dirties in a window is
 * whatever the pattern makes it. Pure.
 */
final class QemuSuite {
    private QemuSuite() {
    }

    /** The patterns in the order they are reported, each with what it does (the words of guest/init.c). */
    static final Map<String, String> PATTERNS = orderedPatterns();

    /** The link of the grid; the rates are written pages per second. */
    static final int LINK_MIB_S = 100;

    /** Below, near and above the link. */
    static final List<Integer> RATES = List.of(50, 100, 200);

    /** A policy is given this many times memory over the cap before the move is cancelled. */
    static final int DEADLINE_TIMES_BOUND = 12;

    /** One guest: a pattern written at a load. */
    record Cell(String pattern, Load load) {
        String name() {
            return load.dirtyMibPerSecond() == 0 ? "idle, over " + load.capMibPerSecond() + " MiB/s" : pattern + ", " + load.name();
        }

        /** Memory over the cap, so many times: 31 s at 100 MiB/s, 96 s at 32 MiB/s for 256 MiB. */
        double deadlineSeconds(int memoryMib) {
            return Math.ceil(DEADLINE_TIMES_BOUND * (double) memoryMib / load.capMibPerSecond());
        }
    }

    /**
     * An idle guest (what the switch-over itself costs here), every pattern at every rate over the grid's link, and seq
     * at 200 MiB/s over 32 MiB/s; only the named patterns ("idle" for the first) if any are named.
     */
    static List<Cell> cells(List<String> only) {
        for (String p : only) {
            if (!PATTERNS.containsKey(p) && !p.equals("idle")) {
                throw new IllegalArgumentException("no pattern " + p + "; the patterns are idle, " + String.join(", ", PATTERNS.keySet()));
            }
        }
        List<Cell> cells = new ArrayList<>();
        if (only.isEmpty() || only.contains("idle")) {
            cells.add(new Cell("seq", new Load(0, LINK_MIB_S))); // what a switch-over costs here when nothing is dirtied
        }
        for (String pattern : PATTERNS.keySet()) {
            if (!only.isEmpty() && !only.contains(pattern)) {
                continue;
            }
            for (int rate : RATES) {
                cells.add(new Cell(pattern, new Load(rate, LINK_MIB_S)));
            }
            if (pattern.equals("seq")) {
                cells.add(new Cell(pattern, new Load(200, 32)));
            }
        }
        return cells;
    }

    private static Map<String, String> orderedPatterns() {
        var m = new java.util.LinkedHashMap<String, String>();
        m.put("seq", "rewrites the region page after page");
        m.put("uniform", "writes uniformly random pages of the region");
        m.put("zipf", "a skewed hot set: page ranks drawn from Zipf(0.99), scattered over the region");
        m.put("bursts", "seq for 1 s, then idle for 1 s, again and again (the rate is the one while writing)");
        m.put("phase", "quiet then busy, 1 s each (shorter than any move here, so every move sees the guest change), again "
                + "and again: quiet writes uniformly random pages of an eighth of the region at a tenth of the rate, busy "
                + "writes uniformly random pages of the whole region at the rate");
        m.put("grow", "uniformly random pages of a working set that grows from an eighth of the region to all of it over 30 s, "
                + "then starts again");
        return java.util.Collections.unmodifiableMap(m);
    }
}
