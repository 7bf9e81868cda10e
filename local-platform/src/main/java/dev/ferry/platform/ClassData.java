package dev.ferry.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/**
 * A service's class data: the classes one full start of the service loaded, written by the JVM when that run exits
 * cleanly (Java 25: once the service is ready), and mapped by every start after it instead of being loaded and verified one by one. Most of a start on two
 * cores is loading classes and running them cold. On Java 17 it is an application class-data archive (AppCDS): with
 * it inventory was ready in 6.5 to 6.9 s instead of 9.2 to 9.9 s, and 20 MiB smaller (G1 and the fast-jar, 2026-12-04).
 * On Java 25 and later it is an AOT cache ({@link Form#AOT_CACHE}), which also holds the classes linked and the
 * start's method profiles: on the aot-jar, inventory 2.4 s against 3.1 s with Java 17's archive and 6.3 s without
 * (docs/benchmarks/README.md, "Java 25's AOT cache"). Either holds the classes the JVM's own
 * loaders load, which is why the services are packaged as Quarkus' aot-jar (every jar on the class path) rather than
 * its fast-jar (a class loader of Quarkus' own). The archive Quarkus can build at package time
 * (quarkus.package.jar.appcds) holds only the classes of static init and saved nothing measurable.
 *
 * <p>A start without usable class data writes it under a name of its own when it exits (Java 17 cannot create an
 * archive as a start goes, JDK 19's AutoCreateSharedArchive; Java 25 ends its training once the service is ready,
 * {@link #endTrainingWhenReady}, and assembles the cache in a second JVM, 18.6 s for the scheduler here; a stop waits
 * longer for a JVM that still writes at exit, {@link #writesAtExit}), and the next start
 * makes the newest finished one the class data. Class data belongs to one build and one JDK: its name says which JDK
 * ({@link ServiceJdk#fingerprint}), a dump's name which build it was trained on (the newest of its jars as the run
 * began), and only a dump of the current build is promoted, and only class data newer than every jar is used
 * ({@link #usable}). A dump can also be unfit to map: its JVM killed
 * while writing it at exit (a stop whose grace ran out) leaves it without a header, since the header is written last,
 * and every start would then run without sharing, slower, until the next rebuild; one cut short after its header (a
 * copy, a disk) crashes Java 17 as it maps it, checksum or not (measured: the scheduler's archive cut to 60 MB). So a
 * dump is checked once, before it becomes the class data ({@link #check}: a JVM with the service's options must map
 * it and its checksums, 0.1 to 0.5 s here), one that fails is deleted and this start writes a new one, and starts
 * then map it unchecked. An archive promoted before this check existed was checksummed at every start instead.
 */
final class ClassData {
    private static final String PART = ".part";
    /** What Java 25 leaves beside a dump when the JVM assembling it was killed: the run's recorded configuration. */
    private static final String CONFIG = ".config";
    /** How long the check of a dump may take: it maps the class data and prints a version, 0.1 to 0.5 s here. */
    private static final long CHECK_SECONDS = 30;
    /**
     * How long a stop waits for a JVM that writes its class data as it exits: Java 25 assembles an AOT cache in a second
     * JVM, 18.6 s for the scheduler here with the machine to itself, longer with other services doing the same.
     */
    static final java.time.Duration WRITING_AT_EXIT = java.time.Duration.ofSeconds(120);

    /** What the check of a dump found: it maps, it does not, or the check could not tell (the dump is left for later). */
    enum Check {
        MAPS, FAILS, UNKNOWN
    }

    /** The two kinds of class data, by the JVM the services run on. */
    enum Form {
        /** Java 17: an application class-data archive, dumped as the run exits. */
        ARCHIVE("jsa", "-XX:ArchiveClassesAtExit=", "-XX:SharedArchiveFile=", "-Xshare:on",
                List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off")),
        /** Java 25 and later: an AOT cache, trained by the run and assembled when the training ends (JEP 514). */
        AOT_CACHE("aot", "-XX:AOTCacheOutput=", "-XX:AOTCache=", "-XX:AOTMode=on",
                List.of("-Xlog:aot=off", "-Xlog:cds=off"));

        final String extension;
        /** The option that writes it at exit, and the one that maps it; each takes a path. */
        final String writeAtExit;
        final String use;
        /** The option that makes a JVM fail rather than run without it: what a check needs. */
        final String required;
        /** The dump warns of every class it leaves out, thousands of lines: not for the service's log. */
        final List<String> quiet;

        Form(String extension, String writeAtExit, String use, String required, List<String> quiet) {
            this.extension = extension;
            this.writeAtExit = writeAtExit;
            this.use = use;
            this.required = required;
            this.quiet = quiet;
        }

        static Form of(ServiceJdk jdk) {
            return jdk.aotCache() ? AOT_CACHE : ARCHIVE;
        }
    }

    /**
     * The name of a service's class data on {@code jdk} with the JVM options {@code jvm}: ferry-classes-JDK-OPTIONS.jsa,
     * or .aot on Java 25. A JVM maps only class data made with options like its own (the collector, compressed pointers,
     * object headers): options changed since (a new default, {@code FERRY_JVM_OPTIONS}) name other class data, and the
     * start trains it, where the JVM would otherwise ignore the old and run without any.
     */
    static String archiveName(ServiceJdk jdk, List<String> jvm) {
        return archiveName(jdk, jvm, Map.of());
    }

    /** As {@link #archiveName(ServiceJdk, List)}, with what the environment gives the JVM besides (its tool options). */
    static String archiveName(ServiceJdk jdk, List<String> jvm, Map<String, String> env) {
        // in order: the last of two contradicting options wins
        String options = String.join(" ", jvm.stream().filter(o -> !sideEffect(o)).toList()) + "|"
                + String.join("|", ENVIRONMENT_OPTIONS.stream().map(v -> String.valueOf(env.getOrDefault(v, System.getenv(v)))).toList());
        return "ferry-classes-" + jdk.fingerprint() + "-" + ServiceJdk.digest(options, 4) + "." + Form.of(jdk).extension;
    }

    private ClassData() {
    }

    /**
     * The JVM options for one start of the service packaged as {@code jar} on {@code jdk}, whose other JVM options are
     * {@code jvm}: none when {@code FERRY_CLASS_DATA=off} is in the launcher's environment or the service's ({@code env}):
     * to compare, should a JVM ever reject class data loudly, or for processes that are started and stopped by the dozen
     * (the end-to-end tests), where every first start would spend seconds of CPU writing class data.
     */
    static List<String> options(Path jar, Map<String, String> env, List<String> jvm, ServiceJdk jdk) {
        return options(jar, env, jdk, jvm, (dump, of) -> check(dump, of, jvm, env, jdk));
    }

    /** As {@link #options(Path, Map, List, ServiceJdk)}, with {@code check} to tell whether a finished dump may be used. */
    static List<String> options(Path jar, Map<String, String> env, ServiceJdk jdk, List<String> jvm, BiFunction<Path, Path, Check> check) {
        if ("off".equals(System.getenv("FERRY_CLASS_DATA")) || "off".equals(env.get("FERRY_CLASS_DATA")) || ownClassData(jvm, env)) {
            return List.of();
        }
        Form form = Form.of(jdk);
        Path dir = jar.getParent();
        Path archive = dir.resolve(archiveName(jdk, jvm, env));
        if (!promoteFinishedDump(dir, archive, jar, check)) {
            return List.of(); // a dump waits for a check that can tell: no other is written meanwhile, nor kept
        }
        if (usable(archive, jar)) {
            return List.of(form.use + archive);
        }
        long build;
        try {
            build = newestJar(jar).toMillis();
        } catch (IOException | java.io.UncheckedIOException unreadable) {
            return List.of(); // the build cannot be told: no class data this time, the start is only slower
        }
        List<String> options = new ArrayList<>(form.quiet);
        options.add(form.writeAtExit + dir.resolve(archive.getFileName() + "." + build + "." + UUID.randomUUID() + PART));
        return options;
    }

    /** The variables a JVM reads options from besides its command line. */
    static final List<String> ENVIRONMENT_OPTIONS = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");

    /**
     * Whether the service is told how to share classes already ({@code FERRY_JVM_OPTIONS} or the JVM's option
     * variables): Java 25 refuses to start with an AOT cache beside {@code -Xshare} or another archive, and a cache
     * mode of its own would make every start train again. Then the launcher adds none.
     */
    static boolean ownClassData(List<String> jvm, Map<String, String> env) {
        java.util.function.Predicate<String> sharing = o -> o.contains("-Xshare") || o.contains("SharedArchiveFile")
                || o.contains("ArchiveClassesAtExit") || o.contains("-XX:AOT") || o.contains("AutoCreateSharedArchive");
        return jvm.stream().anyMatch(sharing) || ENVIRONMENT_OPTIONS.stream().map(v -> env.getOrDefault(v, System.getenv(v)))
                .anyMatch(v -> v != null && sharing.test(v));
    }

    /**
     * Ends a Java 25 training run once the service is ready, so that its cache holds the start and nothing after:
     * caches trained through a whole run (the benchmark's own platform, through 301 migrations before its stop)
     * coincided with slower starts (docs/benchmarks/README.md, "Java 25's AOT cache"). The JVM then assembles the cache
     * in a second JVM at once, while the service runs, and its stop no longer waits for that. Polls {@code ready}
     * every 100 ms while the process lives, for at most {@code timeout}; a run that never gets ready, or a JVM that
     * does not take the command, trains to its exit as before. Nothing happens for a start that does not train.
     *
     * @return the thread that waits, or null when there is nothing to wait for
     */
    static Thread endTrainingWhenReady(Supervised service, List<String> command, java.util.function.BooleanSupplier ready,
            ServiceJdk jdk, java.time.Duration timeout) {
        if (command.stream().noneMatch(o -> o.startsWith(Form.AOT_CACHE.writeAtExit))) {
            return null;
        }
        // not a daemon, and the launcher waits for it before it exits (awaitTrainingsEnded): ./ferry up ends once its
        // services are ready, and the command must have been sent by then
        Thread waiting = new Thread(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (service.alive() && System.nanoTime() < deadline) {
                if (isReady(ready)) {
                    try {
                        // started, not awaited (the launcher need not wait the cache's assembly out): the JVM answers
                        // once the cache is assembled, and the answer, or a refusal, goes to the service's log
                        new ProcessBuilder(jdk.home().resolve("bin").resolve("jcmd").toString(), Long.toString(service.pid()),
                                "AOT.end_recording").redirectErrorStream(true)
                                .redirectOutput(ProcessBuilder.Redirect.appendTo(service.log().toFile())).start();
                    } catch (IOException noJcmd) {
                        // it trains to its exit instead
                    }
                    return;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "end-training-" + service.name());
        TRAININGS.add(waiting);
        waiting.start();
        return waiting;
    }

    private static boolean isReady(java.util.function.BooleanSupplier ready) {
        try {
            return ready.getAsBoolean();
        } catch (RuntimeException notYet) {
            return false;
        }
    }

    private static final List<Thread> TRAININGS = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Waits, at most {@code timeout} in all, until every training this process ends has been told to end (or gave up). */
    static void awaitTrainingsEnded(java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : TRAININGS) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    t.join(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Whether the JVM run by {@code commandLine} writes class data as it exits, which a stop must wait out. */
    static boolean writesAtExit(String commandLine) {
        return java.util.Arrays.stream(Form.values()).anyMatch(f -> commandLine.contains(" " + f.writeAtExit));
    }

    /**
     * Made from this very build: newer than the jar and than every jar beside it (the application's and its
     * dependencies', on the class path by the jar's manifest). Java 17 would ignore an archive of other jars by itself;
     * Java 25 did not notice: a class changed in a jar after its cache was made still ran from the cache, as it was (by
     * hand, 25.0.3, a one-class jar rebuilt to print something else, `-XX:AOTMode=on`), so this check, with the build
     * a dump names ({@link #promoteFinishedDump}), is what keeps a service from running old code. Which JDK made it,
     * its name says.
     */
    static boolean usable(Path archive, Path jar) {
        try {
            return Files.isRegularFile(archive) && Files.getLastModifiedTime(archive).compareTo(newestJar(jar)) >= 0;
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    /** The newest modification of {@code jar} and of every jar under its directory. */
    static java.nio.file.attribute.FileTime newestJar(Path jar) throws IOException {
        java.nio.file.attribute.FileTime newest = Files.getLastModifiedTime(jar);
        try (Stream<Path> all = Files.walk(jar.getParent())) {
            for (Path p : (Iterable<Path>) all.filter(p -> p.getFileName().toString().endsWith(".jar"))::iterator) {
                java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(p);
                newest = t.compareTo(newest) > 0 ? t : newest;
            }
        }
        return newest;
    }

    /**
     * A dump is finished once no running process names it any more (its JVM wrote it at exit). Unless the class data is
     * usable, the newest finished dump trained on the current build that maps becomes it, and every other finished
     * dump is deleted, with what a killed Java 25 left beside it. A dump trained on an earlier build (the jars rebuilt
     * while its service ran) is never promoted, however new: it holds the old classes. False when a check could not
     * tell: then nothing is promoted or deleted this time.
     */
    static boolean promoteFinishedDump(Path dir, Path archive, Path jar, BiFunction<Path, Path, Check> check) {
        String prefix = archive.getFileName() + ".";
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> listed = files.filter(p -> p.getFileName().toString().startsWith(prefix)).toList();
            List<Path> finished = listed.stream().filter(p -> p.getFileName().toString().endsWith(PART)).filter(p -> !beingWritten(p)).toList();
            // a configuration whose run is over, with or without its dump (a JVM killed before it wrote one)
            for (Path config : listed.stream().filter(p -> p.getFileName().toString().endsWith(PART + CONFIG)).toList()) {
                Path dump = config.resolveSibling(config.getFileName().toString().substring(0,
                        config.getFileName().toString().length() - CONFIG.length()));
                if (!beingWritten(dump)) {
                    Files.deleteIfExists(config);
                }
            }
            if (!usable(archive, jar)) {
                long build = newestJar(jar).toMillis();
                List<Path> newestFirst = finished.stream().filter(p -> trainedOn(p, prefix) == build)
                        .sorted((a, b) -> lastModified(b).compareTo(lastModified(a))).toList();
                for (Path dump : newestFirst) {
                    Check found = check.apply(dump, jar);
                    if (found == Check.UNKNOWN) {
                        return false;
                    }
                    if (found == Check.MAPS) {
                        Files.move(dump, archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                        break;
                    }
                }
            }
            for (Path p : finished) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            // no class data this time: the start is only slower
        }
        return true;
    }

    /** The build a dump was trained on, as its name says (PREFIX.BUILD.ID.part); -1 when it names none. */
    static long trainedOn(Path dump, String prefix) {
        String rest = dump.getFileName().toString().substring(prefix.length());
        try {
            return Long.parseLong(rest.substring(0, Math.max(0, rest.indexOf('.'))));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Whether a JVM started as the service will be ({@code jvm}, the launcher's environment and {@code env}) maps
     * {@code dump} as the archive of {@code jar}, whole and with its checksums: {@code java -version} with sharing
     * required fails, or crashes, on a dump without its header, cut short, damaged, or of another jar or JVM. The
     * service's options that write files or load code of their own (logs to a file, a flight recording, an agent) are
     * left out. A crash writes no report ({@code ErrorFile} is /dev/null). A JVM ended from outside (a signal other
     * than the abort a crash ends in) cannot tell. {@code _JAVA_OPTIONS} in the environment overrides the command line:
     * with {@code -Xshare:off} there every dump passes, and the services then run without sharing anyway.
     */
    static Check check(Path dump, Path jar, List<String> jvm, Map<String, String> env, ServiceJdk jdk) {
        Process java = null;
        Form form = Form.of(jdk);
        try {
            List<String> command = new ArrayList<>(List.of(jdk.java()));
            command.addAll(jvm.stream().filter(o -> !sideEffect(o)).toList());
            command.addAll(List.of(form.required, "-XX:+VerifySharedSpaces", "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=/dev/null",
                    form.use + dump, "-cp", jar.toString(), "-version"));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().putAll(env);
            java = builder.start();
            if (!java.waitFor(CHECK_SECONDS, TimeUnit.SECONDS)) {
                return Check.UNKNOWN;
            }
            int exit = java.exitValue();
            if (exit == 0) {
                return Check.MAPS;
            }
            return exit > 128 && exit != 128 + ABORT ? Check.UNKNOWN : Check.FAILS;
        } catch (IOException e) {
            return Check.UNKNOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Check.UNKNOWN;
        } finally {
            if (java != null && java.isAlive()) {
                java.destroyForcibly();
            }
        }
    }

    /** SIGABRT: how a JVM that crashed ends. */
    private static final int ABORT = 6;

    /** A JVM option that writes a file or runs code of its own: not for a check's short-lived JVM. */
    static boolean sideEffect(String option) {
        return option.startsWith("-Xlog:") && option.contains("file=") || option.startsWith("-XX:StartFlightRecording")
                || option.startsWith("-XX:FlightRecorderOptions") || option.startsWith("-javaagent") || option.startsWith("-agentlib")
                || option.startsWith("-agentpath") || option.startsWith("-XX:HeapDumpPath") || option.startsWith("-Xloggc");
    }

    /**
     * Whether a JVM still writes the dump: one whose command line names it, or Java 25's assembling JVM, which gets the
     * name from its environment instead and removes the run's configuration when it is done (a configuration older than
     * {@link #WRITING_AT_EXIT} was left by one that was killed).
     */
    private static boolean beingWritten(Path dump) {
        String name = dump.toString();
        Path config = dump.resolveSibling(dump.getFileName() + CONFIG);
        try {
            if (Files.exists(config) && Files.getLastModifiedTime(config).toInstant()
                    .isAfter(java.time.Instant.now().minus(WRITING_AT_EXIT))) {
                return true;
            }
        } catch (IOException gone) {
            // finished meanwhile
        }
        return ProcessHandle.allProcesses().anyMatch(p -> p.info().arguments()
                .map(args -> Stream.of(args).anyMatch(a -> a.contains(name))).orElse(false));
    }

    private static java.nio.file.attribute.FileTime lastModified(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return java.nio.file.attribute.FileTime.fromMillis(0);
        }
    }
}
