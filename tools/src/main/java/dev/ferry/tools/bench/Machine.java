package dev.ferry.tools.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The machine a benchmark ran on, in the words every report uses. */
final class Machine {
    private Machine() {
    }

    /** Cores, memory, operating system and Java: e.g. "2 cores, 23.5 GiB, Linux amd64, Java 17.0.13". */
    static String describe() {
        return String.format(Locale.ROOT, "%d cores, %s%s %s, Java %s", Runtime.getRuntime().availableProcessors(), memory(),
                System.getProperty("os.name"), System.getProperty("os.arch"), System.getProperty("java.version"));
    }

    private static String memory() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    long kib = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GiB, ", kib / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux: leave the memory out
        }
        return "";
    }
}
