package dev.ferry.tools.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FootprintBenchmarkTest {
    // jcmd PID GC.heap_info of Java 17, as printed by each collector (addresses shortened)
    static final String SERIAL = """
             def new generation   total 19648K, used 14080K [0x00000000fc000000, 0x00000000fd550000)
              eden space 17472K,  80% used [0x00000000fc000000, 0x00000000fd110000)
              from space 2176K,   0% used [0x00000000fd110000, 0x00000000fd330000)
              to   space 2176K,   0% used [0x00000000fd330000, 0x00000000fd550000)
             tenured generation   total 43712K, used 30000K [0x00000000fd550000, 0x0000000100000000)
               the space 43712K,  68% used [0x00000000fd550000, 0x0000000100000000)
             Metaspace       used 8945K, committed 9088K, reserved 1114112K
              class space    used 1063K, committed 1152K, reserved 1048576K
            """;
    static final String G1 = """
             garbage-first heap   total 65536K, used 7523K [0x00000000fc000000, 0x0000000100000000)
              region size 1024K, 5 young (5120K), 1 survivors (1024K)
             Metaspace       used 8930K, committed 9088K, reserved 1114112K
              class space    used 1062K, committed 1152K, reserved 1048576K
            """;

    @Test
    void theSerialCollectorsHeapInUseIsBothGenerationsAndNotTheMetaspace() {
        assertThat(FootprintBenchmark.usedHeap(SERIAL)).isEqualTo((14080L + 30000L) * 1024);
    }

    @Test
    void g1sHeapInUseIsItsOneLine() {
        assertThat(FootprintBenchmark.usedHeap(G1)).isEqualTo(7523L * 1024);
    }

    @Test
    void anAnswerWithoutAHeapIsUnknown() {
        assertThat(FootprintBenchmark.usedHeap("12345:\nCommand executed successfully\n")).isEqualTo(-1);
    }
}
