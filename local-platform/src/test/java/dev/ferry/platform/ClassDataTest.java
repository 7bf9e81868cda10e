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

        List<String> options = ClassData.options(jar, java.util.Map.of());

        assertThat(options).contains("-XX:SharedArchiveFile=" + dir.resolve(ClassData.ARCHIVE));
        assertThat(Files.readString(dir.resolve(ClassData.ARCHIVE))).isEqualTo(ClassData.ARCHIVE + ".b.part");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("quarkus-run.jar", ClassData.ARCHIVE);
        }
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
