package dev.ferry.tools.bench;

import dev.ferry.model.engine.MigrationResult;
import dev.ferry.model.engine.RoundRecord;

/**
 * The lower bound of a real move's total time, for both real-guest suites (QEMU and libvirt): no move is shorter than
 * its first pass, every page of memory once, a page of data in full and a zero page as an 8-byte header (the first
 * pass's zero pages are the hypervisor's own count), at the rate the move's link ran. That rate is the cap, or the
 * move's own average over its live rounds where the hypervisor sent faster than its cap (QEMU does, by a few per cent).
 * Every move sends at least its first pass, so the bound holds up to how the rounds were timed (by the driver, where
 * the total is the hypervisor's own figure; 0.99x at worst on the real-guest suite). "Memory over the cap", the bound
 * before, counted zero pages in full, and a mostly untouched guest beat it by 40 %. Pure.
 */
final class FirstPass {
    private FirstPass() {
    }

    static double seconds(MigrationResult result, int memoryMib, int capMibPerSecond) {
        var rounds = result.rounds();
        long pages = ((long) memoryMib << 20) / 4096;
        long zero = rounds.isEmpty() ? 0 : Math.max(0, Math.min(pages, rounds.get(0).zeroPages()));
        double rate = (double) ((long) capMibPerSecond << 20);
        double liveSeconds = 0;
        double liveBytes = 0;
        for (RoundRecord r : rounds) {
            if (r.kind() == RoundRecord.Kind.LIVE && r.bytesSent() > 0) {
                liveSeconds += r.seconds();
                liveBytes += r.bytesSent();
            }
        }
        if (liveSeconds > 0) {
            rate = Math.max(rate, liveBytes / liveSeconds);
        }
        return ((pages - zero) * 4096.0 + zero * 8.0) / rate;
    }
}
