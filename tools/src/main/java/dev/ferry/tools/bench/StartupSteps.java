package dev.ferry.tools.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Quarkus service's log says about its own start: the "started in" it reports, and, when it ran with
 * {@code -Dquarkus.debug.print-startup-times=true}, the wall-clock time of each recorded start-up step.
 */
record StartupSteps(double startedInSeconds, Map<String, Long> stepMillis) {
    private static final Pattern STARTED = Pattern.compile("started in (\\d+\\.\\d+)s");
    private static final Pattern STEP = Pattern.compile("Build step (\\S+) completed in: (\\d+)ms");

    /** From the lines one start wrote; NaN and no steps when the service never said. */
    static StartupSteps of(List<String> lines) {
        double started = Double.NaN;
        Map<String, Long> steps = new LinkedHashMap<>();
        for (String line : lines) {
            Matcher s = STEP.matcher(line);
            if (s.find()) {
                steps.merge(s.group(1), Long.parseLong(s.group(2)), Long::sum);
                continue;
            }
            Matcher m = STARTED.matcher(line);
            if (m.find()) {
                started = Double.parseDouble(m.group(1));
            }
        }
        return new StartupSteps(started, steps);
    }
}
