package dev.ferry.testsupport;

import java.util.OptionalDouble;

/** Reads a sample out of a /q/metrics page, as an operator's query would see it. */
public final class PrometheusText {
    private PrometheusText() {
    }

    /**
     * The value of the first sample whose line starts with {@code prefix} (the name and the labels up to some point).
     * A sample may carry an exemplar (" # {trace_id=...} value timestamp", when a traced span recorded it): the
     * sample's value is the one before it.
     */
    public static OptionalDouble value(String page, String prefix) {
        return page.lines().filter(l -> l.startsWith(prefix)).findFirst()
                .map(l -> l.contains(" # {") ? l.substring(0, l.indexOf(" # {")) : l)
                .map(l -> OptionalDouble.of(Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))))
                .orElse(OptionalDouble.empty());
    }
}
