package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.platform.ClassData.Check;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataTest {
    /** The JVM options a service starts with here: a check must map a dump as that JVM would. */
    private static final List<String> JVM = List.of("-Xmx384m", "-XX:+UseSerialGC");
    /** The JVM running this test, Java 17: its class data is an archive ({@link ClassData.Form#ARCHIVE}). */
    private static final ServiceJdk OWN = ServiceJdk.of(Path.of(System.getProperty("java.home"))).orElseThrow();
    private static final String ARCHIVE = ClassData.archiveName(OWN, JVM);
    private static final BiFunction<Path, Path, Check> NEVER_ASKED = (dump, jar) -> {
        throw new AssertionError("a usable archive needs no check");
    };

    @TempDir
    Path dir;

    /** The name of a dump the JVM writes at exit, trained on the build {@code jar} is part of. */
    private static String part(Path jar, String id) throws Exception {
        return ARCHIVE + "." + ClassData.newestJar(jar).toMillis() + "." + id + ".part";
    }

    private Path file(String name, Instant modified) throws Exception {
        Path p = Files.writeString(dir.resolve(name), name);
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }

    @Test
    void withoutAnArchiveTheStartWritesOneOfItsOwnWhenItExits() throws Exception {
        Path jar = file("quarkus-run.jar", Instant.now());

        List<String> options = ClassData.options(jar, Map.of(), JVM, OWN);

        assertThat(options).anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit=" + dir.resolve(ARCHIVE + ".")) && o.endsWith(".part"));
    }

    @Test
    void aServiceStartedWithClassDataOffNeitherUsesNorWritesAnArchive() throws Exception {
        Path jar = file("quarkus-run.jar", Instant.now().minusSeconds(600));
        file(part(jar, "a"), Instant.now());

        assertThat(ClassData.options(jar, Map.of("FERRY_CLASS_DATA", "off"), JVM, OWN)).isEmpty();
        try (var left = Files.list(dir)) { // the finished dump is left for a start that uses archives
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("quarkus-run.jar",
                    part(jar, "a"));
        }
    }

    @Test
    void theNewestFinishedDumpThatMapsBecomesTheArchiveAndIsUsedFromThenOnUnchecked() throws Exception {
        Instant built = Instant.now().minusSeconds(600);
        Path jar = file("quarkus-run.jar", built);
        file(part(jar, "a"), built.plusSeconds(60));
        file(part(jar, "b"), built.plusSeconds(120));
        file(part(jar, "c"), built.plusSeconds(180));
        // the newest does not map; the one before it does
        BiFunction<Path, Path, Check> check = (dump, of) -> dump.toString().endsWith(".c.part") ? Check.FAILS : Check.MAPS;

        List<String> options = ClassData.options(jar, Map.of(), OWN, JVM, check);

        assertThat(options).contains("-XX:SharedArchiveFile=" + dir.resolve(ARCHIVE));
        assertThat(Files.readString(dir.resolve(ARCHIVE))).isEqualTo(part(jar, "b"));
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("quarkus-run.jar", ARCHIVE);
        }
        assertThat(ClassData.options(jar, Map.of(), OWN, JVM, NEVER_ASKED)).contains("-XX:SharedArchiveFile=" + dir.resolve(ARCHIVE));
    }

    @Test
    void classDataIsNamedForTheJvmOptionsThatMustMatchButNotForThoseThatOnlyWriteFiles() {
        assertThat(ClassData.archiveName(OWN, List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:-UseCompressedOops"))).isNotEqualTo(ARCHIVE);
        assertThat(ClassData.archiveName(OWN, List.of("-Xmx384m", "-XX:+UseSerialGC", "-Xlog:gc:file=/tmp/gc-%p.log"))).isEqualTo(ARCHIVE);
        assertThat(ARCHIVE).startsWith("ferry-classes-" + OWN.fingerprint() + "-").endsWith(".jsa");
    }

    @Test
    void aServiceToldHowToShareClassesAlreadyGetsNoClassDataOfTheLaunchers() throws Exception {
        Path jar = file("quarkus-run.jar", Instant.now());

        assertThat(ClassData.options(jar, Map.of(), List.of("-Xmx384m", "-Xshare:off"), OWN)).isEmpty();
        assertThat(ClassData.options(jar, Map.of(), List.of("-XX:AOTMode=off"), OWN)).isEmpty();
        assertThat(ClassData.options(jar, Map.of("JAVA_TOOL_OPTIONS", "-XX:SharedArchiveFile=/tmp/x.jsa"), JVM, OWN)).isEmpty();
        assertThat(ClassData.options(jar, Map.of("JAVA_TOOL_OPTIONS", "-Dquarkus.debug.print-startup-times=true"), JVM, OWN)).isNotEmpty();
        // what the environment adds names the class data too
        assertThat(ClassData.archiveName(OWN, JVM, Map.of("JAVA_TOOL_OPTIONS", "-XX:-UseCompressedOops"))).isNotEqualTo(ARCHIVE);
        assertThat(ClassData.archiveName(OWN, List.of("-XX:+UseSerialGC", "-XX:-UseSerialGC")))
                .isNotEqualTo(ClassData.archiveName(OWN, List.of("-XX:-UseSerialGC", "-XX:+UseSerialGC")));
    }

    @Test
    void aDumpTrainedOnAnEarlierBuildIsNeverPromotedHoweverNewItIs() throws Exception {
        Instant built = Instant.now().minusSeconds(600);
        Path jar = file("quarkus-run.jar", built);
        // its service ran the build before, and wrote its dump at exit, after the jars were rebuilt under it
        Path old = file(ARCHIVE + "." + built.minusSeconds(3600).toEpochMilli() + ".old.part", built.plusSeconds(60));
        Path leftOver = file(old.getFileName() + ".config", built.plusSeconds(60)); // what a killed Java 25 leaves
        Path alone = file(ARCHIVE + "." + built.toEpochMilli() + ".gone.part.config", built.plusSeconds(60)); // its dump never written

        List<String> options = ClassData.options(jar, Map.of(), OWN, JVM, (dump, of) -> Check.MAPS);

        assertThat(options).noneMatch(o -> o.startsWith("-XX:SharedArchiveFile="));
        String thisBuild = "-XX:ArchiveClassesAtExit=" + dir.resolve(ARCHIVE + "." + ClassData.newestJar(jar).toMillis() + ".");
        assertThat(options).anyMatch(o -> o.startsWith(thisBuild));
        assertThat(old).doesNotExist();
        assertThat(leftOver).doesNotExist();
        assertThat(alone).doesNotExist();
        assertThat(dir.resolve(ARCHIVE)).doesNotExist();
    }

    @Test
    void aCheckThatCannotTellPromotesDeletesAndWritesNothing() throws Exception {
        Instant built = Instant.now().minusSeconds(600);
        Path jar = file("quarkus-run.jar", built);
        Path dump = file(part(jar, "a"), built.plusSeconds(60));

        List<String> options = ClassData.options(jar, Map.of(), OWN, JVM, (d, of) -> Check.UNKNOWN);

        assertThat(options).as("no archive, and no new dump beside the one waiting").isEmpty();
        assertThat(dump).exists();
        assertThat(dir.resolve(ARCHIVE)).doesNotExist();
    }

    @Test
    void aDumpThatCannotBeMappedNeverBecomesTheArchiveAndThisStartWritesANewOne() throws Exception {
        Path jar = jarWithOneClass();
        Path whole = dump(jar, part(jar, "whole"));
        byte[] bytes = Files.readAllBytes(whole);
        // as a JVM killed while it dumps leaves the file: it writes the header last
        byte[] headless = bytes.clone();
        Arrays.fill(headless, 0, 4096, (byte) 0);
        Path killed = write(part(jar, "killed"), headless, 60);
        Path cut = write("cut.jsa", Arrays.copyOf(bytes, bytes.length / 2), 0);
        byte[] flipped = bytes.clone();
        flipped[4096 + 64] ^= (byte) 0xff; // just past the header, in the first region: a byte its checksum covers
        Path damaged = write("damaged.jsa", flipped, 0);

        List<String> crashReports = crashReports();
        assertThat(ClassData.check(whole, jar, JVM, Map.of(), OWN)).isEqualTo(Check.MAPS);
        assertThat(ClassData.check(killed, jar, JVM, Map.of(), OWN)).as("no header").isEqualTo(Check.FAILS);
        assertThat(ClassData.check(cut, jar, JVM, Map.of(), OWN)).as("cut after its header").isEqualTo(Check.FAILS);
        assertThat(ClassData.check(damaged, jar, JVM, Map.of(), OWN)).as("a flipped byte, which the checksum finds").isEqualTo(Check.FAILS);
        assertThat(crashReports()).as("a crash's report stays out of the working directory").isEqualTo(crashReports);
        // the check runs as the service will: a JVM without compressed pointers cannot map a dump made with them
        assertThat(ClassData.check(whole, jar, List.of("-Xmx384m", "-XX:-UseCompressedOops"), Map.of(), OWN)).isEqualTo(Check.FAILS);
        assertThat(ClassData.check(whole, jar, JVM, Map.of("JAVA_TOOL_OPTIONS", "-XX:-UseCompressedOops"), OWN)).isEqualTo(Check.FAILS);
        // and without what would write files of its own
        assertThat(ClassData.check(whole, jar, List.of("-Xmx384m", "-XX:+UseSerialGC", "-Xlog:gc:file=" + dir.resolve("gc-%p.log")),
                Map.of(), OWN)).isEqualTo(Check.MAPS);
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("gc-"));
        }

        List<String> options = ClassData.options(jar, Map.of(), JVM, OWN);

        assertThat(options).contains("-XX:SharedArchiveFile=" + dir.resolve(ARCHIVE));
        assertThat(Files.readAllBytes(dir.resolve(ARCHIVE))).isEqualTo(bytes);
        assertThat(killed).doesNotExist();

        // only the killed dump: deleted, and this start writes a new one instead of running without sharing
        Files.delete(dir.resolve(ARCHIVE));
        write(part(jar, "killed"), headless, 120);

        List<String> again = ClassData.options(jar, Map.of(), JVM, OWN);

        assertThat(again).anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
        assertThat(killed).doesNotExist();
        assertThat(dir.resolve(ARCHIVE)).doesNotExist();
    }

    private static List<String> crashReports() throws Exception {
        try (var files = Files.list(Path.of("").toAbsolutePath())) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("hs_err")).sorted().toList();
        }
    }

    private Path write(String name, byte[] bytes, long secondsAfterTheJar) throws Exception {
        Path p = Files.write(dir.resolve(name), bytes);
        Files.setLastModifiedTime(p, FileTime.from(Files.getLastModifiedTime(dir.resolve("quarkus-run.jar")).toInstant()
                .plusSeconds(600 + secondsAfterTheJar)));
        return p;
    }

    /** A jar with one class that does nothing: a dump of a run of it holds at least that class. */
    private Path jarWithOneClass() throws Exception {
        Path src = Files.createDirectories(dir.resolve("src"));
        Files.writeString(src.resolve("Idle.java"), "public class Idle { public static void main(String[] args) throws Exception { "
                + "if (args.length > 0) { Thread.sleep(Long.parseLong(args[0])); } } }");
        assertThat(ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", src.toString(), src.resolve("Idle.java").toString()))
                .isZero();
        Path jar = dir.resolve("quarkus-run.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        try (var out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.putNextEntry(new JarEntry("Idle.class"));
            out.write(Files.readAllBytes(src.resolve("Idle.class")));
            out.closeEntry();
        }
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(600)));
        return jar;
    }

    @Test
    void onJava25TheRunTrainsAnAotCacheWhichIsCheckedOnceAndThenUsed() throws Exception {
        ServiceJdk jdk = java25();
        Path jar = jarWithOneClass();
        // as the services run there: the pod's options
        List<String> jvm = new java.util.ArrayList<>(List.of("-Xmx384m"));
        jvm.addAll(FerryService.podJvm(FerryService.trims(jdk)));

        List<String> training = ClassData.options(jar, Map.of(), jvm, jdk);

        assertThat(training).anyMatch(o -> o.startsWith("-XX:AOTCacheOutput=" + dir.resolve(ClassData.archiveName(jdk, jvm) + "."))
                && o.endsWith(".part"));
        assertThat(ClassData.writesAtExit(jdk.java() + " " + String.join(" ", training) + " -jar " + jar)).isTrue();
        assertThat(run(jdk, jvm, training, jar)).as("the training run").isZero();

        List<String> options = ClassData.options(jar, Map.of(), jvm, jdk);

        Path cache = dir.resolve(ClassData.archiveName(jdk, jvm));
        assertThat(cache.getFileName().toString()).endsWith(".aot").isNotEqualTo(ARCHIVE);
        assertThat(options).containsExactly("-XX:AOTCache=" + cache);
        assertThat(ClassData.options(jar, Map.of(), jdk, jvm, NEVER_ASKED)).as("checked once").containsExactly("-XX:AOTCache=" + cache);
        assertThat(ClassData.writesAtExit(jdk.java() + " " + String.join(" ", options) + " -jar " + jar)).isFalse();
        // the jvm really maps it: with the cache required, a jvm that cannot use it does not start
        List<String> required = new java.util.ArrayList<>(options);
        required.add("-XX:AOTMode=on");
        assertThat(run(jdk, jvm, required, jar)).isZero();

        byte[] bytes = Files.readAllBytes(cache);
        Path cut = write("cut.aot", Arrays.copyOf(bytes, bytes.length / 2), 0);
        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= (byte) 0xff;
        Path damaged = write("damaged.aot", flipped, 0);
        assertThat(ClassData.check(cache, jar, jvm, Map.of(), jdk)).isEqualTo(Check.MAPS);
        assertThat(ClassData.check(cut, jar, jvm, Map.of(), jdk)).as("cut short").isEqualTo(Check.FAILS);
        assertThat(ClassData.check(damaged, jar, jvm, Map.of(), jdk)).as("a flipped byte, which the checksum finds").isEqualTo(Check.FAILS);

        // a dependency rebuilt since (a jar the manifest puts on the class path): the jvm would still map the cache,
        // so the launcher must not offer it, and trains a new one
        Path lib = Files.createDirectories(dir.resolve("lib/main")).resolve("dependency.jar");
        Files.write(lib, new byte[] {0});
        Files.setLastModifiedTime(lib, FileTime.from(Files.getLastModifiedTime(cache).toInstant().plusSeconds(1)));

        assertThat(ClassData.options(jar, Map.of(), jvm, jdk)).anyMatch(o -> o.startsWith("-XX:AOTCacheOutput="));
    }

    @Test
    void aJava25TrainingRunEndsOnceTheServiceIsReadyAndItsCacheIsMadeWhileItRuns() throws Exception {
        ServiceJdk jdk = java25();
        Path jar = jarWithOneClass();
        List<String> command = new java.util.ArrayList<>(List.of(jdk.java()));
        command.addAll(JVM);
        command.addAll(ClassData.options(jar, Map.of(), JVM, jdk));
        command.addAll(List.of("-cp", jar.toString(), "Idle", "120000")); // a service that runs two minutes
        Path dump = Path.of(command.stream().filter(o -> o.startsWith("-XX:AOTCacheOutput=")).findFirst().orElseThrow()
                .substring("-XX:AOTCacheOutput=".length()));
        Supervised service = Supervised.start("idle", command, Map.of(), dir.resolve("idle.log"), false, "Idle 120000");
        try {
            java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            Thread waiting = ClassData.endTrainingWhenReady(service, command, () -> asked.incrementAndGet() > 0 && ready.get(), jdk,
                    java.time.Duration.ofMinutes(2));
            Thread.sleep(1000);
            assertThat(asked.get()).as("readiness asked again and again").isGreaterThan(3);
            assertThat(waiting.isAlive()).as("still waiting for the service to be ready").isTrue();
            assertThat(dump).as("nothing before the service is ready").doesNotExist();

            ready.set(true);
            waiting.join(10_000);
            assertThat(waiting.isAlive()).isFalse();
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (ClassData.check(dump, jar, JVM, Map.of(), jdk) != Check.MAPS && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }

            assertThat(ClassData.check(dump, jar, JVM, Map.of(), jdk)).as("the cache, whole, made while the service runs").isEqualTo(Check.MAPS);
            assertThat(service.alive()).isTrue();
            long stopping = System.nanoTime();
            assertThat(service.stop(java.time.Duration.ofSeconds(30))).as("killed").isFalse();
            assertThat((System.nanoTime() - stopping) / 1_000_000_000).as("seconds to stop, the cache already written").isLessThan(20);
            assertThat(ClassData.options(jar, Map.of(), JVM, jdk)).as("promoted at the next start")
                    .containsExactly("-XX:AOTCache=" + dir.resolve(ClassData.archiveName(jdk, JVM)));
        } finally {
            service.kill();
        }
        assertThat(ClassData.endTrainingWhenReady(service, List.of(jdk.java(), "-XX:AOTCache=x", "-cp", jar.toString()), () -> true, jdk,
                java.time.Duration.ofSeconds(1))).as("a start that does not train").isNull();
    }

    /** A JDK of 25 or later, as the services run on where there is one: in CI there must be (this machine has Temurin's). */
    private static ServiceJdk java25() {
        ServiceJdk chosen = ServiceJdk.choose(System::getenv, ServiceJdk.SYSTEM_JDKS, Path.of(System.getProperty("java.home")));
        assertThat(chosen.major()).as("a JDK of 25 or later in " + ServiceJdk.SYSTEM_JDKS + " or " + ServiceJdk.VARIABLE + ", which "
                + "the services run on: " + chosen.describe()).isGreaterThanOrEqualTo(ServiceJdk.AOT_CACHE_SINCE);
        return chosen;
    }

    /** Runs the jar's one class on {@code jdk} with the service's options and {@code options}: its exit code. */
    private static int run(ServiceJdk jdk, List<String> jvm, List<String> options, Path jar) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(jdk.java()));
        command.addAll(jvm);
        command.addAll(options);
        command.addAll(List.of("-cp", jar.toString(), "Idle"));
        Process java = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(java.waitFor(120, TimeUnit.SECONDS)).isTrue();
        return java.exitValue();
    }

    /** A real dump of a run of {@code jar}, written by a JVM at its exit as a service's is. */
    private Path dump(Path jar, String name) throws Exception {
        Path dump = dir.resolve(name);
        List<String> command = new java.util.ArrayList<>(List.of(OWN.java()));
        command.addAll(JVM);
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + dump, "-cp", jar.toString(), "Idle"));
        Process jvm = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(dump).exists();
        return dump;
    }

    @Test
    void anArchiveOlderThanARebuiltJarIsNotUsedAndANewOneIsWritten() throws Exception {
        Instant built = Instant.now();
        file(ARCHIVE, built.minusSeconds(60));
        Path jar = file("quarkus-run.jar", built);

        List<String> options = ClassData.options(jar, Map.of(), JVM, OWN);

        assertThat(options).noneMatch(o -> o.startsWith("-XX:SharedArchiveFile="));
        assertThat(options).anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
    }

    @Test
    void aDumpWhoseJvmStillRunsIsLeftAlone() throws Exception {
        Instant built = Instant.now().minusSeconds(600);
        Path jar = file("quarkus-run.jar", built);
        Path writing = file(part(jar, "c"), built.plusSeconds(60));
        // a process whose command line names the dump, as the JVM writing it does
        Process jvm = new ProcessBuilder("sh", "-c", "sleep 30", "-XX:ArchiveClassesAtExit=" + writing).start();
        try {
            List<String> options = ClassData.options(jar, Map.of(), JVM, OWN);

            assertThat(options).noneMatch(o -> o.startsWith("-XX:SharedArchiveFile="));
            assertThat(writing).exists();
            assertThat(dir.resolve(ARCHIVE)).doesNotExist();
        } finally {
            jvm.destroyForcibly().waitFor();
        }
    }
}
