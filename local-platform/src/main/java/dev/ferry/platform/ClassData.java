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
 * A service's application class-data archive (AppCDS): the classes one full start of the service loaded, written by the
 * JVM when that run exits cleanly, and mapped by every start after it instead of being loaded and verified one by one.
 * Most of a start on two cores is loading classes and running them cold; with the archive inventory was ready in
 * 6.5 to 6.9 s instead of 9.2 to 9.9 s, and 20 MiB smaller, under G1 (docs/benchmarks/README.md). The archive Quarkus can build
 * at package time (quarkus.package.jar.appcds) holds only the classes of static init and saved nothing measurable.
 *
 * <p>Java 17 cannot create the archive on its own as a start goes (JDK 19's AutoCreateSharedArchive), so a start
 * without a usable archive writes one under a name of its own when it exits, and the next start makes the newest
 * finished one the archive. The JVM checks the archive against the jar it was made from and ignores one that does not
 * match, and a rebuilt jar or an updated JDK gets a new one. A dump can also be unfit to map: its JVM killed while
 * writing it at exit (a stop whose grace ran out) leaves it without a header, since the header is written last, and
 * every start would then run without sharing, slower, until the next rebuild; one cut short after its header (a copy,
 * a disk) crashes this JVM as it maps it, checksum or not (measured: the scheduler's archive cut to 60 MB). So a dump
 * is checked once, before it becomes the archive ({@link #check}: a JVM with the service's options must map it and
 * its checksums, 0.1 to 0.2 s here), one that fails is deleted and this start writes a new one, and starts then map
 * the archive unchecked. An archive promoted before this check existed was checksummed at every start instead.
 */
final class ClassData {
    static final String ARCHIVE = "ferry-classes.jsa";
    private static final String PART = ".part";
    /** How long the check of a dump may take: it maps the archive and prints a version, 0.1 to 0.2 s here. */
    private static final long CHECK_SECONDS = 30;

    /** What the check of a dump found: it maps, it does not, or the check could not tell (the dump is left for later). */
    enum Check {
        MAPS, FAILS, UNKNOWN
    }

    private ClassData() {
    }

    /**
     * The JVM options for one start of the service packaged as {@code jar}, whose other JVM options are {@code jvm}:
     * none when {@code FERRY_CLASS_DATA=off} is in the launcher's environment or the service's ({@code env}): to
     * compare, should a JVM ever reject an archive loudly, or for processes that are started and stopped by the dozen
     * (the end-to-end tests), where every first stop would spend seconds writing an archive after the service has
     * stopped, inside the stop's grace period.
     */
    static List<String> options(Path jar, Map<String, String> env, List<String> jvm) {
        return options(jar, env, (dump, of) -> check(dump, of, jvm, env));
    }

    /** As {@link #options(Path, Map, List)}, with {@code check} to tell whether a finished dump may become the archive. */
    static List<String> options(Path jar, Map<String, String> env, BiFunction<Path, Path, Check> check) {
        if ("off".equals(System.getenv("FERRY_CLASS_DATA")) || "off".equals(env.get("FERRY_CLASS_DATA"))) {
            return List.of();
        }
        Path dir = jar.getParent();
        Path archive = dir.resolve(ARCHIVE);
        if (!promoteFinishedDump(dir, archive, jar, check)) {
            return List.of(); // a dump waits for a check that can tell: no other is written meanwhile, nor kept
        }
        if (usable(archive, jar)) {
            return List.of("-XX:SharedArchiveFile=" + archive);
        }
        // (the dump warns of every class it leaves out, thousands of lines: not for the service's log)
        return List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off",
                "-XX:ArchiveClassesAtExit=" + dir.resolve(ARCHIVE + "." + UUID.randomUUID() + PART));
    }

    /**
     * Made from this very jar and this very JVM: not older than either (a rebuilt jar, or a JDK updated in place, makes
     * the archive one the JVM would ignore, so a new one is written instead).
     */
    static boolean usable(Path archive, Path jar) {
        try {
            if (!Files.isRegularFile(archive) || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) < 0) {
                return false;
            }
            Path jvm = Path.of(System.getProperty("java.home"), "lib", "server", "libjvm.so");
            return !Files.exists(jvm) || Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jvm)) >= 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A dump is finished once no running process names it any more (its JVM wrote it at exit). Unless the archive is
     * usable, the newest finished dump made from the current jar that maps becomes the archive, and every other
     * finished dump is deleted. False when a check could not tell: then nothing is promoted or deleted this time.
     */
    static boolean promoteFinishedDump(Path dir, Path archive, Path jar, BiFunction<Path, Path, Check> check) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> finished = files.filter(p -> p.getFileName().toString().startsWith(ARCHIVE + ".")
                    && p.getFileName().toString().endsWith(PART)).filter(p -> !beingWritten(p)).toList();
            if (!usable(archive, jar)) {
                List<Path> newestFirst = finished.stream().filter(p -> usable(p, jar))
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
        } catch (IOException e) {
            // no archive this time: the start is only slower
        }
        return true;
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
    static Check check(Path dump, Path jar, List<String> jvm, Map<String, String> env) {
        Process java = null;
        try {
            List<String> command = new ArrayList<>(List.of(FerryService.java()));
            command.addAll(jvm.stream().filter(o -> !sideEffect(o)).toList());
            command.addAll(List.of("-Xshare:on", "-XX:+VerifySharedSpaces", "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=/dev/null",
                    "-XX:SharedArchiveFile=" + dump, "-cp", jar.toString(), "-version"));
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

    private static boolean beingWritten(Path dump) {
        String name = dump.toString();
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
