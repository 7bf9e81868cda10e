package dev.ferry.worker.qemu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Reading a guest's zero pages out of QEMU's answers (QEMU 10's own words, a 256 MiB q35 guest on this machine). */
class ZeroPagesTest {
    /** The system address space's flat view of a 256 MiB q35 guest, as {@code info mtree -f} printed it (abridged). */
    static final String MTREE = """
            FlatView #2
             AS "I/O", root: io
             Root memory region: io
              0000000000000000-0000000000000007 (prio 0, i/o): dma-chan
            \r
            FlatView #4
             AS "memory", root: system
             AS "cpu-memory-0", root: system
             Root memory region: system
              0000000000000000-00000000000c2fff (prio 0, ram): pc.ram
              00000000000c3000-00000000000e3fff (prio 0, rom): pc.ram @00000000000c3000
              00000000000e4000-00000000000effff (prio 0, ram): pc.ram @00000000000e4000
              00000000000f0000-00000000000fffff (prio 0, rom): pc.ram @00000000000f0000
              0000000000100000-000000000fffffff (prio 0, ram): pc.ram @0000000000100000
              00000000b0000000-00000000bfffffff (prio 0, i/o): pcie-mmcfg-mmio
            \r
            FlatView #5
             AS "virtio-blk-pci", root: bus master container
              0000000000000000-000000000fffffff (prio 0, ram): pc.ram
            """;

    @Test
    void theGuestsRamIsWhatTheSystemAddressSpaceMapsAsRam() {
        List<long[]> ram = ZeroPages.ram(MTREE);

        // the ROM shadows and the devices left out, and the other address spaces' views of the same RAM not counted twice
        assertThat(ram).containsExactly(new long[] {0, 0xc3000}, new long[] {0xe4000, 0xf0000}, new long[] {0x100000, 0x10000000});
        assertThat(ram.stream().mapToLong(r -> (r[1] - r[0]) / 4096).sum()).isEqualTo(65_536 - 33 - 16);
    }

    @Test
    void pagesAreCountedAcrossTheRanges() {
        List<long[]> ram = ZeroPages.ram(MTREE);

        assertThat(ZeroPages.address(ram, 0)).isZero();
        assertThat(ZeroPages.address(ram, 0xc2)).isEqualTo(0xc2000);
        assertThat(ZeroPages.address(ram, 0xc3)).as("the first page after the ROM").isEqualTo(0xe4000);
        assertThat(ZeroPages.address(ram, 0xc3 + 12)).isEqualTo(0x100000);
        assertThatThrownBy(() -> ZeroPages.address(ram, 65_536)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPageIsZeroOnlyWhenEveryWordIs() throws IOException {
        String zeros = "0000000000100000: 0x0000000000000000 0x0000000000000000\r\n".repeat(256);
        String oneByte = zeros.replaceFirst("0x0000000000000000\r\n$", "0x0000000000000001\r\n");

        assertThat(ZeroPages.zero(zeros)).isTrue();
        assertThat(ZeroPages.zero(oneByte)).isFalse();
        assertThat(ZeroPages.zero("00000fffffff0000: Cannot access memory\r\n")).as("not counted").isNull();
        assertThatThrownBy(() -> ZeroPages.zero("unknown command: 'xp'")).isInstanceOf(IOException.class);
    }

    /** A larger q35 guest: RAM split around the PCI hole, and a video card whose memory QEMU also calls RAM. */
    static final String MTREE_8_GIB = """
            FlatView #3
             AS "memory", root: system
             Root memory region: system
              0000000000000000-000000007fffffff (prio 0, ram): pc.ram
              00000000fd000000-00000000fdffffff (prio 1, ram): vga.vram
              00000000fe000000-00000000fe000fff (prio 0, i/o): virtio-pci-common-virtio-net
              0000000100000000-000000027fffffff (prio 0, ram): pc.ram @0000000080000000
            """;

    @Test
    void ramAboveFourGibIsCountedAndVideoMemoryIsNot() {
        List<long[]> ram = ZeroPages.ram(MTREE_8_GIB);

        assertThat(ram).containsExactly(new long[] {0, 0x80000000L}, new long[] {0x100000000L, 0x280000000L});
        long below = 0x80000000L / 4096;
        assertThat(ZeroPages.address(ram, below - 1)).isEqualTo(0x7ffff000L);
        assertThat(ZeroPages.address(ram, below)).as("past the hole").isEqualTo(0x100000000L);
        assertThat(ZeroPages.address(ram, 2 * 1024 * 1024 - 1)).as("the last page of 8 GiB").isEqualTo(0x27ffff000L);
    }

    @Test
    void theShareIsOfThePagesThatCouldBeRead() throws Exception {
        // pages below 30,000 hold data, those above only zeros, every tenth cannot be read
        double share = ZeroPages.share(100_000, page -> page % 10 == 0 ? null : page >= 30_000, new SplittableRandom(7),
                System::nanoTime);

        assertThat(share).isBetween(0.67, 0.73);
        assertThatThrownBy(() -> ZeroPages.share(100, page -> null, new SplittableRandom(7), System::nanoTime))
                .hasMessageContaining("0 of 1024 sampled pages").hasMessageContaining("256 are needed");
    }

    @Test
    void aSlowMonitorGivesTheShareOfThePagesReadWithinTheBudgetOrNone() throws Exception {
        // each read takes 10 ms of the clock: 500 fit in the 5 s budget
        long[] now = {0};
        ZeroPages.Page slow = page -> {
            now[0] += 10_000_000L;
            return page % 2 == 0;
        };
        assertThat(ZeroPages.share(1_000_000, slow, new SplittableRandom(7), () -> now[0])).isBetween(0.4, 0.6);
        assertThat(now[0]).isEqualTo(ZeroPages.BUDGET.toNanos());

        // 50 ms each: 100 in the budget, too few to say anything
        now[0] = 0;
        ZeroPages.Page slower = page -> {
            now[0] += 50_000_000L;
            return true;
        };
        assertThatThrownBy(() -> ZeroPages.share(1_000_000, slower, new SplittableRandom(7), () -> now[0]))
                .hasMessageContaining("100 of 100 sampled pages of the guest's memory could be read within 5000 ms");
    }

    @Test
    void anInterruptStopsTheSample() {
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> ZeroPages.share(100, page -> true, new SplittableRandom(7), System::nanoTime))
                .isInstanceOf(InterruptedException.class);
        assertThat(Thread.interrupted()).as("the flag was consumed by the exception").isFalse();
    }
}
