package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataTest {
    @TempDir
    Path dir;

    private Path file(String name, Instant modified) throws Exception {
        Path p = Files.writeString(dir.resolve(name), name);
        Files.setLastModifiedTime(p, FileTime.from(modified));
        return p;
    }

    @Test
    void withoutAnArchiveTheStartWritesOneOfItsOwnWhenItExits() throws Exception {
        Path jar = file("quarkus-run.jar", Instant.now());

        List<String> options = ClassData.options(jar, java.util.Map.of());

        assertThat(options).contains("-XX:+VerifySharedSpaces");
        assertThat(options).anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit=" + dir.resolve(ClassData.ARCHIVE + ".")) && o.endsWith(".part"));
    }

    @Test
    void aServiceStartedWithClassDataOffNeitherUsesNorWritesAnArchive() throws Exception {
        Path jar = file("quarkus-run.jar", Instant.now().minusSeconds(600));
        file(ClassData.ARCHIVE + ".a.part", Instant.now());

        assertThat(ClassData.options(jar, java.util.Map.of("FERRY_CLASS_DATA", "off"))).isEmpty();
        try (var left = Files.list(dir)) { // the finished dump is left for a start that uses archives
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("quarkus-run.jar",
                    ClassData.ARCHIVE + ".a.part");
        }
    }

    @Test
    void theNewestFinishedDumpBecomesTheArchiveAndIsUsedFromThenOn() throws Exception {
        Instant built = Instant.now().minusSeconds(600);
        Path jar = file("quarkus-run.jar", built);
        file(ClassData.ARCHIVE + ".a.part", built.plusSeconds(60));
        file(ClassData.ARCHIVE + ".b.part", built.plusSeconds(120));

        List<String> options = ClassData.options(jar, java.util.Map.of(), (dump, of) -> true);

        assertThat(options).contains("-XX:SharedArchiveFile=" + dir.resolve(ClassData.ARCHIVE));
        assertThat(Files.readString(dir.resolve(ClassData.ARCHIVE))).isEqualTo(ClassData.ARCHIVE + ".b.part");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("quarkus-run.jar", ClassData.ARCHIVE);
        }
    }

    @Test
    void aDumpCutShortNeverBecomesTheArchiveAndTheNextStartWritesANewOne() throws Exception {
        Path jar = emptyJar();
        Path whole = dump(jar, ClassData.ARCHIVE + ".whole.part");
        byte[] bytes = Files.readAllBytes(whole);
        // the newest dump, cut short as by a kill during the JVM's exit: a JVM crashes mapping it
        Path cut = Files.write(dir.resolve(ClassData.ARCHIVE + ".cut.part"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.setLastModifiedTime(cut, FileTime.from(Files.getLastModifiedTime(whole).toInstant().plusSeconds(60)));
        Path damaged = Files.write(dir.resolve("damaged.jsa"), bytes);
        damaged.toFile().setWritable(true);
        byte[] flipped = bytes.clone();
        flipped[bytes.length * 3 / 4] ^= (byte) 0xff;
        Files.write(damaged, flipped);

        assertThat(ClassData.mapsCleanly(whole, jar)).isTrue();
        assertThat(ClassData.mapsCleanly(cut, jar)).isFalse();
        assertThat(ClassData.mapsCleanly(damaged, jar)).as("a flipped byte, which the checksum finds").isFalse();

        List<String> options = ClassData.options(jar, java.util.Map.of());

        assertThat(options).contains("-XX:SharedArchiveFile=" + dir.resolve(ClassData.ARCHIVE));
        assertThat(Files.readAllBytes(dir.resolve(ClassData.ARCHIVE))).isEqualTo(bytes);
        assertThat(cut).doesNotExist();

        // only the cut dump: deleted, and this start writes a new one instead of crashing on it
        Files.delete(dir.resolve(ClassData.ARCHIVE));
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        Files.setLastModifiedTime(cut, FileTime.from(Instant.now().plusSeconds(60)));

        List<String> again = ClassData.options(jar, java.util.Map.of());

        assertThat(again).anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
        assertThat(cut).doesNotExist();
        assertThat(dir.resolve(ClassData.ARCHIVE)).doesNotExist();
    }

    /** A jar with only a manifest: what a dump needs to be of some class path. */
    private Path emptyJar() throws Exception {
        Path jar = dir.resolve("quarkus-run.jar");
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar), manifest)) {
            out.flush();
        }
        Files.setLastModifiedTime(jar, FileTime.from(Instant.now().minusSeconds(600)));
        return jar;
    }

    /** A real dump of {@code jar}'s class path, written by a JVM at its exit as a service's is. */
    private Path dump(Path jar, String name) throws Exception {
        Path dump = dir.resolve(name);
        Process jvm = new ProcessBuilder(FerryService.java(), "-XX:+VerifySharedSpaces", "-XX:ArchiveClassesAtExit=" + dump,
                "-cp", jar.toString(), "-version").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(jvm.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(dump).exists();
        return dump;
    }

    @Test
    void anArchiveOlderThanARebuiltJarIsNotUsedAndANewOneIsWritten() throws Exception {
        Instant built = Instant.now();
        file(ClassData.ARCHIVE, built.minusSeconds(60));
        Path jar = file("quarkus-run.jar", built);

        List<String> options = ClassData.options(jar, java.util.Map.of());

        assertThat(options).noneMatch(o -> o.startsWith("-XX:SharedArchiveFile="));
        assertThat(options).anyMatch(o -> o.startsWith("-XX:ArchiveClassesAtExit="));
    }

    @Test
    void aDumpWhoseJvmStillRunsIsLeftAlone() throws Exception {
        Instant built = Instant.now().minusSeconds(600);
        Path jar = file("quarkus-run.jar", built);
        Path writing = file(ClassData.ARCHIVE + ".c.part", built.plusSeconds(60));
        // a process whose command line names the dump, as the JVM writing it does
        Process jvm = new ProcessBuilder("sh", "-c", "sleep 30", "-XX:ArchiveClassesAtExit=" + writing).start();
        try {
            List<String> options = ClassData.options(jar, java.util.Map.of());

            assertThat(options).noneMatch(o -> o.startsWith("-XX:SharedArchiveFile="));
            assertThat(writing).exists();
            assertThat(dir.resolve(ClassData.ARCHIVE)).doesNotExist();
        } finally {
            jvm.destroyForcibly().waitFor();
        }
    }
}
