package dev.ferry.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
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
 * match, and a rebuilt jar or an updated JDK gets a new one. A dump cut short (its JVM killed while writing at exit,
 * a stop whose grace ran out) is no such mismatch: this JVM crashes mapping it, checksum or not (measured: a dump of
 * the scheduler cut to 60 MB, with and without {@code VerifySharedSpaces}). So a dump is checked once, before it
 * becomes the archive: a JVM that must map it (with its checksum, which the dump writes) runs {@code -version}
 * ({@link #mapsCleanly}, 0.2 s here); one that fails is deleted and the next start writes a new one. Starts then map
 * the archive unchecked.
 */
final class ClassData {
    static final String ARCHIVE = "ferry-classes.jsa";
    private static final String PART = ".part";
    /** How long the check of a dump may take: it maps the archive and prints a version, 0.2 s here. */
    private static final long CHECK_SECONDS = 30;

    private ClassData() {
    }

    /**
     * The JVM options for one start of the service packaged as {@code jar}: none when {@code FERRY_CLASS_DATA=off} is
     * in the launcher's environment or the service's ({@code env}): to compare, should a JVM ever reject an archive
     * loudly, or for processes that are started and stopped by the dozen (the end-to-end tests), where every first stop
     * would spend seconds writing an archive after the service has stopped, inside the stop's grace period.
     */
    static List<String> options(Path jar, Map<String, String> env) {
        return options(jar, env, ClassData::mapsCleanly);
    }

    /** As {@link #options(Path, Map)}, with {@code sound} to tell whether a finished dump may become the archive. */
    static List<String> options(Path jar, Map<String, String> env, BiPredicate<Path, Path> sound) {
        if ("off".equals(System.getenv("FERRY_CLASS_DATA")) || "off".equals(env.get("FERRY_CLASS_DATA"))) {
            return List.of();
        }
        Path dir = jar.getParent();
        Path archive = dir.resolve(ARCHIVE);
        promoteFinishedDump(dir, archive, jar, sound);
        if (usable(archive, jar)) {
            return List.of("-XX:SharedArchiveFile=" + archive);
        }
        // (the dump warns of every class it leaves out, thousands of lines: not for the service's log; VerifySharedSpaces
        // has it write the checksum that mapsCleanly checks)
        return List.of("-XX:+VerifySharedSpaces", "-Xlog:cds=off", "-Xlog:cds+dynamic=off",
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
     * A dump is finished once no running process names it any more (its JVM wrote it at exit); the newest finished dump
     * made from the current jar that is {@code sound} replaces the archive, the others are deleted.
     */
    static void promoteFinishedDump(Path dir, Path archive, Path jar, BiPredicate<Path, Path> sound) {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> finished = files.filter(p -> p.getFileName().toString().startsWith(ARCHIVE + ".")
                    && p.getFileName().toString().endsWith(PART)).filter(p -> !beingWritten(p)).toList();
            if (!usable(archive, jar)) {
                Optional<Path> newest = finished.stream().filter(p -> usable(p, jar))
                        .sorted((a, b) -> lastModified(b).compareTo(lastModified(a))).filter(p -> sound.test(p, jar)).findFirst();
                if (newest.isPresent()) {
                    Files.move(newest.get(), archive, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
            }
            for (Path p : finished) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            // no archive this time: the start is only slower
        }
    }

    /**
     * Whether this JVM maps {@code dump} as the archive of {@code jar} whole and with its checksum: {@code java -version}
     * with sharing required fails (or crashes) on a dump cut short, a damaged one, or one of another jar. A crash's
     * report goes to a file of its own, deleted after, not into the working directory.
     */
    static boolean mapsCleanly(Path dump, Path jar) {
        Path crash = null;
        try {
            crash = Files.createTempFile("ferry-class-data-check", ".log");
            ProcessBuilder java = new ProcessBuilder(FerryService.java(), "-Xshare:on", "-XX:+VerifySharedSpaces",
                    "-XX:-CreateCoredumpOnCrash", "-XX:ErrorFile=" + crash, "-XX:SharedArchiveFile=" + dump, "-cp", jar.toString(),
                    "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            // options meant for the services (a benchmark's, NMT's) are not this check's: -Xshare:off would fail every dump
            java.environment().remove("JAVA_TOOL_OPTIONS");
            java.environment().remove("JDK_JAVA_OPTIONS");
            Process check = java.start();
            if (!check.waitFor(CHECK_SECONDS, TimeUnit.SECONDS)) {
                check.destroyForcibly();
                return false;
            }
            return check.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (crash != null) {
                try {
                    Files.deleteIfExists(crash);
                } catch (IOException ignored) {
                    // a temporary file: the system cleans it up
                }
            }
        }
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
