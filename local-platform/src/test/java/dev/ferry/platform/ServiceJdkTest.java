package dev.ferry.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServiceJdkTest {
    private static final Map<String, String> UNSET = Map.of();

    @TempDir
    Path jdks;

    /** A directory laid out as a JDK: bin/java and a release file that says its version. */
    private Path jdk(String name, String version) throws Exception {
        Path home = Files.createDirectories(jdks.resolve(name));
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Someone\"\nJAVA_VERSION=\"" + version + "\"\nOS_NAME=\"Linux\"\n");
        return home;
    }

    @Test
    void theServicesRunOnTheNewestJdkOf25OrLaterTheSystemKeeps() throws Exception {
        Path own = jdk("java-17-openjdk-amd64", "17.0.15");
        jdk("temurin-25-jdk-amd64", "25.0.3");
        Path newest = jdk("temurin-26-jdk-amd64", "26");
        Files.createDirectories(jdks.resolve("not-a-jdk"));

        ServiceJdk chosen = ServiceJdk.choose(UNSET::get, jdks, own);

        assertThat(chosen.home()).isEqualTo(newest);
        assertThat(chosen.major()).isEqualTo(26);
        assertThat(chosen.aotCache()).isTrue();
        assertThat(chosen.java()).isEqualTo(newest.resolve("bin/java").toString());
    }

    @Test
    void withoutOneOf25OrLaterTheyRunOnTheLaunchersOwn() throws Exception {
        Path own = jdk("java-17-openjdk-amd64", "17.0.15");
        jdk("java-21-openjdk-amd64", "21.0.4");

        ServiceJdk chosen = ServiceJdk.choose(UNSET::get, jdks, own);

        assertThat(chosen.home()).isEqualTo(own);
        assertThat(chosen.version()).isEqualTo("17.0.15");
        assertThat(chosen.aotCache()).isFalse();
        assertThat(ServiceJdk.choose(UNSET::get, jdks.resolve("absent"), own).home()).isEqualTo(own);
    }

    @Test
    void ferryJavaHomeNamesItAndMustBeAJdk() throws Exception {
        Path own = jdk("java-17-openjdk-amd64", "17.0.15");
        jdk("temurin-25-jdk-amd64", "25.0.3");

        assertThat(ServiceJdk.choose(Map.of(ServiceJdk.VARIABLE, own.toString())::get, jdks, own).home()).isEqualTo(own);
        assertThatThrownBy(() -> ServiceJdk.choose(Map.of(ServiceJdk.VARIABLE, jdks.resolve("nowhere").toString())::get, jdks, own))
                .isInstanceOf(LaunchException.class).hasMessageContaining("FERRY_JAVA_HOME=").hasMessageContaining("is not a JDK");
    }

    @Test
    void classDataIsNamedForTheJdkThatMadeItDownToItsJvmLibrary() throws Exception {
        Path home = jdk("temurin-25-jdk-amd64", "25.0.3");
        Path libjvm = Files.createDirectories(home.resolve("lib/server")).resolve("libjvm.so");
        Files.write(libjvm, new byte[100]);
        ServiceJdk jdk = ServiceJdk.of(home).orElseThrow();
        String before = jdk.fingerprint();

        assertThat(ServiceJdk.of(home).orElseThrow().fingerprint()).isEqualTo(before);
        // updated in place: same directory and version, another library (a package keeps its build's file times)
        java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(libjvm);
        Files.write(libjvm, new byte[101]);
        Files.setLastModifiedTime(libjvm, time);
        assertThat(jdk.fingerprint()).isNotEqualTo(before);
        assertThat(ServiceJdk.of(jdk("temurin-25-copy", "25.0.3")).orElseThrow().fingerprint()).isNotEqualTo(jdk.fingerprint());
    }

    @Test
    void ferryJavaHomeOlderThanTheServicesNeedIsRefused() throws Exception {
        Path own = jdk("java-17-openjdk-amd64", "17.0.15");
        Path eleven = jdk("java-11-openjdk-amd64", "11.0.24");

        assertThatThrownBy(() -> ServiceJdk.choose(Map.of(ServiceJdk.VARIABLE, eleven.toString())::get, jdks, own))
                .isInstanceOf(LaunchException.class).hasMessageContaining("is Java 11.0.24").hasMessageContaining("need Java 17 or later");
    }

    @Test
    void theMajorVersionComesFromTheReleaseFile() throws Exception {
        assertThat(ServiceJdk.of(jdk("a", "25.0.3")).orElseThrow().major()).isEqualTo(25);
        assertThat(ServiceJdk.of(jdk("b", "17.0.15")).orElseThrow().major()).isEqualTo(17);
        assertThat(ServiceJdk.of(jdk("c", "1.8.0_412")).orElseThrow().major()).isEqualTo(1);
        assertThat(ServiceJdk.of(jdk("d", "26-ea")).orElseThrow().major()).isEqualTo(26);
        Path noRelease = Files.createDirectories(jdks.resolve("e/bin"));
        assertThat(ServiceJdk.of(noRelease.getParent())).isEmpty();
    }
}
