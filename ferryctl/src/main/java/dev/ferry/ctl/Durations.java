package dev.ferry.ctl;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** "300ms", "45s", "10m", "1h30m": durations as operators write them (kubectl's --timeout, virtctl's flags). */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String value) {
        String v = value == null ? "" : value.strip();
        Matcher m = PART.matcher(v);
        Duration total = Duration.ZERO;
        int at = 0;
        while (m.find() && m.start() == at) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            at = m.end();
        }
        if (v.isEmpty() || at != v.length()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration: write it as 300ms, 45s, 10m or 1h30m");
        }
        return total;
    }
}
