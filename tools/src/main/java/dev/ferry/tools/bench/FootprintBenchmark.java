package dev.ferry.tools.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.platform.LocalLogin;
import dev.ferry.platform.FerryService;
import dev.ferry.platform.Http;
import dev.ferry.platform.Layout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the three services really hold in memory, idle and under load, to size their containers from. Run against the
 * local platform started by {@code ./ferry footprint} (the services as ./ferry up runs them, and native memory
 * tracking on): clients move the demo VMs back and forth through the scheduler's API as fast as it takes them, with
 * the simulator in fast time (many round events a second), while a sampler reads each service's resident set every
 * second. At the end each JVM reports its heap and non-heap (native memory tracking), and its live heap after a full
 * collection. Writes docs/benchmarks/footprint.md.
 */
public final class FootprintBenchmark {
    private static final Pattern NMT_TOTAL = Pattern.compile("Total: reserved=(\\d+)KB, committed=(\\d+)KB");
    private static final Pattern NMT_HEAP = Pattern.compile("Java Heap \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");
    private static final Pattern HEAP_USED = Pattern.compile("total (\\d+)K, used (\\d+)K");
    private static final long MIB = 1L << 20;

    record Sample(long idleRss, long peakRss, long heapCommitted, long nonHeapCommitted, long liveHeap) {
    }

    public static void main(String[] args) throws Exception {
        Path docs = Path.of(args.length > 0 ? args[0] : "docs/benchmarks");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 180;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 4;
        Layout layout = Layout.of(Path.of(".").toAbsolutePath().normalize(), System.getenv());
        Http.signIn(LocalLogin.token(layout, "admin")); // registers nothing, but migrates: operator is included
        Map<FerryService, Long> pids = new EnumMap<>(FerryService.class);
        for (FerryService s : FerryService.values()) {
            pids.put(s, Long.parseLong(Files.readString(layout.pidFile(s.shortName)).trim()));
        }
        String inventory = "http://127.0.0.1:" + layout.servicePort(FerryService.INVENTORY);
        String scheduler = "http://127.0.0.1:" + layout.servicePort(FerryService.SCHEDULER);

        Map<FerryService, Long> idle = new EnumMap<>(FerryService.class);
        Map<FerryService, AtomicLong> peak = new EnumMap<>(FerryService.class);
        for (FerryService s : FerryService.values()) {
            idle.put(s, rss(pids.get(s)));
            peak.put(s, new AtomicLong(idle.get(s)));
        }
        List<Long> vms = movableVms(inventory);
        AtomicLong succeeded = new AtomicLong();
        AtomicLong rounds = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread t = new Thread(() -> drive(scheduler, vms, until, succeeded, rounds, refused), "client-" + c);
            t.start();
            threads.add(t);
        }
        Thread sampler = new Thread(() -> {
            while (true) {
                for (FerryService s : FerryService.values()) {
                    peak.get(s).accumulateAndGet(rss(pids.get(s)), Math::max);
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "sampler");
        sampler.setDaemon(true);
        sampler.start();
        for (Thread t : threads) {
            t.join();
        }
        sampler.interrupt();

        Map<FerryService, Sample> samples = new EnumMap<>(FerryService.class);
        for (FerryService s : FerryService.values()) {
            long pid = pids.get(s);
            String nmt = jcmd(pid, "VM.native_memory", "summary");
            Matcher total = NMT_TOTAL.matcher(nmt);
            Matcher heap = NMT_HEAP.matcher(nmt);
            if (!total.find() || !heap.find()) {
                throw new IllegalStateException(s.module + " runs without native memory tracking: start it with ./ferry footprint");
            }
            long heapCommitted = Long.parseLong(heap.group(2)) * 1024;
            long nonHeap = Long.parseLong(total.group(2)) * 1024 - heapCommitted;
            jcmd(pid, "GC.run");
            long live = usedHeap(jcmd(pid, "GC.heap_info"));
            samples.put(s, new Sample(idle.get(s), peak.get(s).get(), heapCommitted, nonHeap, live));
        }
        String md = report(samples, seconds, clients, succeeded.get(), rounds.get(), refused.get());
        Files.createDirectories(docs);
        Files.writeString(docs.resolve("footprint.md"), md);
        System.out.print(md);
    }

    /** The demo's VMs that have somewhere to go (the AMD guest has no second AMD host). */
    private static List<Long> movableVms(String inventory) {
        List<Long> ids = new ArrayList<>();
        JsonNode page = Http.get(inventory + "/vms?size=100");
        for (JsonNode vm : page.has("items") ? page.path("items") : page) {
            if (!vm.path("name").asText().startsWith("batch")) {
                ids.add(vm.path("id").asLong());
            }
        }
        if (ids.isEmpty()) {
            throw new IllegalStateException("no VMs in inventory: start the platform with ./ferry footprint");
        }
        return ids;
    }

    /** One client: requests a migration of a random VM, follows it to its end, again until time is up. */
    private static void drive(String scheduler, List<Long> vms, long until, AtomicLong succeeded, AtomicLong rounds,
            AtomicLong refused) {
        while (System.nanoTime() < until) {
            long vm = vms.get(ThreadLocalRandom.current().nextInt(vms.size()));
            String id;
            try {
                id = Http.post(scheduler + "/migrations", Map.of("vmId", vm, "maxDowntimeMillis", 300)).path("id").asText();
            } catch (RuntimeException e) {
                refused.incrementAndGet(); // the VM is moving already, or no host has room: try another
                sleep(50);
                continue;
            }
            while (System.nanoTime() < until + 60_000_000_000L) {
                JsonNode m = Http.get(scheduler + "/migrations/" + id);
                String phase = m.path("phase").asText();
                if (List.of("SUCCEEDED", "FAILED", "CANCELLED", "OUTCOME_UNKNOWN").contains(phase)) {
                    if (phase.equals("SUCCEEDED")) {
                        succeeded.incrementAndGet();
                    }
                    rounds.addAndGet(m.path("roundCount").asLong());
                    break;
                }
                Http.get(scheduler + "/migrations?phase=RUNNING"); // what a console would poll
                sleep(100);
            }
        }
    }

    /**
     * The heap in use from {@code jcmd GC.heap_info}: G1 reports one line for the whole heap, the serial and parallel
     * collectors one per generation (young, then old), so every generation's line is added up; -1 when none is found.
     */
    static long usedHeap(String heapInfo) {
        Matcher used = HEAP_USED.matcher(heapInfo);
        long bytes = -1;
        while (used.find()) {
            bytes = Math.max(bytes, 0) + Long.parseLong(used.group(2)) * 1024;
        }
        return bytes;
    }

    private static String report(Map<FerryService, Sample> samples, int seconds, int clients, long succeeded, long rounds,
            long refused) {
        StringBuilder md = new StringBuilder("# Service footprint: what to size the containers from\n\n");
        md.append("Produced by `./ferry footprint ").append(seconds).append(' ').append(clients).append("` on ")
                .append(Machine.describe()).append(", ").append(Instant.now().toString(), 0, 10).append(". ")
                .append("Each service ran as `./ferry up` runs it: `").append(FerryService.commandLine())
                .append("`, with native memory tracking. Load: ")
                .append(clients).append(" clients moved the demo VMs back and forth for ").append(seconds)
                .append(" s through the scheduler's API, polling each migration and the running list every 100 ms; the simulator ran "
                        + "in fast time. ").append(succeeded).append(" migrations succeeded, about ").append(rounds)
                .append(" round events, ").append(refused).append(" requests refused (VM busy or no room).\n\n");
        md.append("| service | resident idle (MiB) | resident peak under load (MiB) | heap committed (MiB) | non-heap committed (MiB) "
                + "| live heap after full GC (MiB) |\n|---|---:|---:|---:|---:|---:|\n");
        for (FerryService s : FerryService.values()) {
            Sample x = samples.get(s);
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d |%n", s.module, x.idleRss() / MIB,
                    x.peakRss() / MIB, x.heapCommitted() / MIB, x.nonHeapCommitted() / MIB, x.liveHeap() / MIB));
        }
        md.append("\nResident = the kernel's VmRSS, sampled every second (what a memory limit counts, with the page cache of "
                + "written files). Non-heap = native memory tracking's committed total less the heap: metaspace, code cache, "
                + "thread stacks, GC structures, direct buffers (Netty, Kafka's client). Live heap = used after `jcmd GC.run`.\n");
        return md.toString();
    }

    /** Resident set size of a process in bytes, from /proc; 0 once it has gone. */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException e) {
            // the process has gone
        }
        return 0;
    }

    private static String jcmd(long pid, String... command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("jcmd " + String.join(" ", command) + ": " + out);
        }
        return out;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
