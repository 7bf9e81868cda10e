package dev.ferry.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The JDK the services run on. Ferry is built for Java 17 and runs on it; on Java 25 a service starts from an AOT cache
 * (JEP 483, 514 and 515: its classes loaded and linked, and the start's method profiles, from one training run):
 * inventory was ready in 2.4 s from it against 3.1 s from Java 17's class-data archive (by hand;
 * docs/benchmarks/README.md, "Java 25's AOT cache"). So the services run on {@code FERRY_JAVA_HOME} when it is set, else on the newest JDK of 25 or
 * later that the system keeps its JDKs in ({@code /usr/lib/jvm}, as Debian's and Temurin's packages install them),
 * else on the launcher's own.
 *
 * @param home    the JDK's directory
 * @param version its {@code JAVA_VERSION}, as its {@code release} file says ("25.0.3", "17.0.15")
 */
public record ServiceJdk(Path home, String version) {
    /** Where the launcher looks for a newer JDK when none is named. */
    static final Path SYSTEM_JDKS = Path.of("/usr/lib/jvm");
    /** The first Java whose JVM writes an AOT cache as a run ends ({@code -XX:AOTCacheOutput}, JEP 514). */
    static final int AOT_CACHE_SINCE = 25;
    public static final String VARIABLE = "FERRY_JAVA_HOME";

    /** The oldest Java the services are built for. */
    static final int OLDEST = 17;

    private static volatile ServiceJdk chosen;

    /**
     * The JDK this launcher starts the services on, chosen at the first call; a {@link LaunchException} (and no choice
     * kept) when {@code FERRY_JAVA_HOME} names no JDK the services can run on.
     */
    public static ServiceJdk chosen() {
        ServiceJdk known = chosen;
        if (known == null) {
            known = choose(System::getenv, SYSTEM_JDKS, Path.of(System.getProperty("java.home")));
            chosen = known;
        }
        return known;
    }

    /** The launcher's own java, which Kafka and the identity provider run on: only the services move to another JDK. */
    public static String launcherJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code FERRY_JAVA_HOME}, else the newest JDK of 25 or later in {@code systemJdks}, else {@code own}. */
    static ServiceJdk choose(UnaryOperator<String> env, Path systemJdks, Path own) {
        String named = env.apply(VARIABLE);
        if (named != null && !named.isBlank()) {
            ServiceJdk jdk = of(Path.of(named)).orElseThrow(() -> new LaunchException(VARIABLE + "=" + named + " is not a JDK: "
                    + "it has no bin/java and release file"));
            if (jdk.major() < OLDEST) {
                throw new LaunchException(VARIABLE + "=" + named + " is Java " + jdk.version() + "; the services need Java "
                        + OLDEST + " or later");
            }
            return jdk;
        }
        Optional<ServiceJdk> newer = Optional.empty();
        if (Files.isDirectory(systemJdks)) {
            try (Stream<Path> homes = Files.list(systemJdks)) {
                newer = homes.map(ServiceJdk::of).flatMap(Optional::stream).filter(j -> j.major() >= AOT_CACHE_SINCE)
                        .max(Comparator.comparingInt(ServiceJdk::major).thenComparing(j -> j.home().toString()));
            } catch (IOException unreadable) {
                // none found there: the launcher's own
            }
        }
        return newer.or(() -> of(own)).orElse(new ServiceJdk(own, System.getProperty("java.version")));
    }

    /** The JDK at {@code home}, if it has a java to run and a release file to say its version. */
    static Optional<ServiceJdk> of(Path home) {
        Path release = home.resolve("release");
        if (!Files.isExecutable(home.resolve("bin/java")) || !Files.isRegularFile(release)) {
            return Optional.empty();
        }
        try (Stream<String> lines = Files.lines(release)) {
            return lines.filter(l -> l.startsWith("JAVA_VERSION=")).findFirst()
                    .map(l -> l.substring("JAVA_VERSION=".length()).replace("\"", "").trim()).filter(v -> !v.isEmpty())
                    .map(v -> new ServiceJdk(home, v));
        } catch (IOException | java.io.UncheckedIOException unreadable) {
            return Optional.empty();
        }
    }

    /** 25 of "25.0.3", 17 of "17.0.15" (and 1 of an old "1.8.0", which is older than every Java this cares about). */
    public int major() {
        String digits = version.split("[^0-9]", 2)[0];
        return digits.isEmpty() ? 0 : Integer.parseInt(digits);
    }

    public String java() {
        return home.resolve("bin").resolve("java").toString();
    }

    /** Whether its JVM keeps class data as an AOT cache rather than an application class-data archive. */
    public boolean aotCache() {
        return major() >= AOT_CACHE_SINCE;
    }

    /**
     * Which JDK this is, for the name of class data made with it: its directory, version and JVM library (size and
     * time). A JDK updated in place keeps its directory, and may keep its version's file times (a package's files carry
     * their build's date), but not its library's size and time together; class data of another JDK is not offered to
     * this one, which would refuse it and start without any.
     */
    String fingerprint() {
        Path libjvm = home.resolve("lib").resolve("server").resolve("libjvm.so");
        String jvm;
        try {
            jvm = Files.size(libjvm) + "@" + Files.getLastModifiedTime(libjvm).toMillis();
        } catch (IOException e) {
            jvm = "?";
        }
        return digest(home.toAbsolutePath().normalize() + "|" + version + "|" + jvm, 6);
    }

    /** The first {@code bytes} bytes of the text's SHA-256, in hex: a short name for it. */
    static String digest(String text, int bytes) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(digest, 0, bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /** For reports: "Java 25.0.3 (/usr/lib/jvm/temurin-25-jdk-amd64)". */
    public String describe() {
        return "Java " + version + " (" + home + ")";
    }
}
