package dev.ferry.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * A process of the platform: started with its log, found again by its pid, waited for until it is ready (or has died,
 * or the time is up, each said with the log's tail), stopped by that very pid. The one home of process supervision
 * for ./ferry and the end-to-end tests.
 */
public final class Supervised {
    private final String name;
    private final ProcessHandle process;
    private final Path log;
    private final String marker;

    private Supervised(String name, ProcessHandle process, Path log, String marker) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.marker = marker;
    }

    /**
     * Starts {@code command} with its output in {@code log}.
     *
     * @param detached in a session of its own, so that it outlives the launcher and a closed terminal (./ferry up);
     *                 the end-to-end tests keep their services attached and stop them themselves
     * @param marker   a part of the command line that identifies the process, so that a pid the system gave to another
     *                 process since is never stopped by mistake
     */
    public static Supervised start(String name, List<String> command, Map<String, String> env, Path log, boolean detached,
            String marker) {
        List<String> cmd = new ArrayList<>();
        if (detached) {
            cmd.add("setsid"); // not a group leader when started from here, so setsid execs in place: same pid
        }
        cmd.addAll(command);
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            pb.environment().putAll(env);
            return new Supervised(name, pb.start().toHandle(), log, marker);
        } catch (IOException e) {
            throw new LaunchException("could not start " + name + " (" + String.join(" ", command) + "): " + e.getMessage(), e);
        }
    }

    /** The process a pid file names, when it still runs and is still ours. */
    public static Optional<Supervised> find(String name, Path pidFile, Path log, String marker) {
        try {
            if (!Files.exists(pidFile)) {
                return Optional.empty();
            }
            long pid = Long.parseLong(Files.readString(pidFile).trim());
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                    // a pid whose command line cannot be read is not taken for ours: never stop a stranger
                    .filter(p -> commandLine(p).map(c -> c.contains(marker)).orElse(false))
                    .map(p -> new Supervised(name, p, log, marker));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The whole command line (/proc has it; the JDK's view of it is cut short for a long class path). */
    static Optional<String> commandLine(ProcessHandle p) {
        try {
            return Optional.of(new String(Files.readAllBytes(Path.of("/proc", Long.toString(p.pid()), "cmdline"))).replace('\0', ' '));
        } catch (IOException | RuntimeException noProc) {
            return p.info().commandLine();
        }
    }

    /** A process started by someone else (PostgreSQL's postmaster) that this one now answers for. */
    public static Supervised adopt(String name, long pid, Path log, String marker) {
        return new Supervised(name, ProcessHandle.of(pid).orElseThrow(() -> new LaunchException(name + " (pid " + pid
                + ") exited during start-up; its log: " + log)), log, marker);
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public Path log() {
        return log;
    }

    public boolean alive() {
        return process.isAlive();
    }

    public void writePid(Path pidFile) {
        try {
            Files.createDirectories(pidFile.getParent());
            Files.writeString(pidFile, Long.toString(pid()));
        } catch (IOException e) {
            throw new LaunchException("could not write " + pidFile + ": " + e.getMessage(), e);
        }
    }

    /** Waits until {@code ready} holds; fails early with the log's tail when the process dies, or at the timeout. */
    public Supervised awaitReady(BooleanSupplier ready, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!alive()) {
                throw new LaunchException(name + " exited during start-up:\n" + tail() + "\nfull log: " + log);
            }
            if (System.nanoTime() > deadline) {
                throw new LaunchException(name + " was not ready after " + timeout.toSeconds() + " s:\n" + tail() + "\nfull log: " + log);
            }
            sleep(300);
        }
        return this;
    }

    /** The signal a stop begins with; STOP and CONT pause and resume (fault tests). */
    public enum Signal {
        TERM, INT, STOP, CONT
    }

    /** SIGTERM, and SIGKILL if it has not stopped by the timeout; true when it had to be killed. */
    public boolean stop(Duration timeout) {
        return stop(Signal.TERM, timeout);
    }

    /**
     * {@code signal}, and SIGKILL if it has not stopped by the timeout; true when it had to be killed. A JVM that writes
     * its class data as it exits (or may: the option stays on its command line after a training ended at ready) gets
     * at least {@link ClassData#WRITING_AT_EXIT}: killed while it writes, the next start has none and writes it again.
     * Its child JVMs are waited for too, within the same time: Java 25 assembles its cache in a child JVM, which may
     * still be writing when the service itself has ended.
     */
    public boolean stop(Signal signal, Duration timeout) {
        if (!alive()) {
            return false;
        }
        boolean writing = writesClassDataAtExit();
        Duration wait = (signal == Signal.TERM || signal == Signal.INT) && writing
                && timeout.compareTo(ClassData.WRITING_AT_EXIT) < 0 ? ClassData.WRITING_AT_EXIT : timeout;
        // only a JVM assembling class data: a worker's other children (QEMU guests) are not the stop's to wait for
        List<ProcessHandle> children = writing ? process.children()
                .filter(c -> c.info().command().map(cmd -> cmd.endsWith("/java")).orElse(false)).toList() : List.of();
        if (signal == Signal.TERM) {
            process.destroy();
        } else {
            signal(signal);
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while ((alive() || children.stream().anyMatch(ProcessHandle::isAlive)) && System.nanoTime() < deadline) {
            sleep(200);
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        if (alive()) {
            kill();
            return true;
        }
        return false;
    }

    /**
     * SIGTERM to each at once, then waits for all (SIGKILL for any still running after the timeout): a service takes
     * seconds to leave its consumer groups, and several need not queue for it.
     */
    public static void stopAll(java.util.Collection<Supervised> processes, Duration timeout) {
        java.util.concurrent.CompletableFuture.allOf(processes.stream()
                .map(p -> java.util.concurrent.CompletableFuture.runAsync(() -> p.stop(timeout)))
                .toArray(java.util.concurrent.CompletableFuture[]::new)).join();
    }

    /** Whether it is a JVM that writes its class data as it exits ({@link ClassData}): its stop takes longer. */
    public boolean writesClassDataAtExit() {
        return commandLine(process).filter(ClassData::writesAtExit).isPresent();
    }

    /** The JDK sends only TERM and KILL; kill(1) sends the rest. */
    public void signal(Signal signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal.name(), Long.toString(pid())).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                kill.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroy(); // no kill(1): SIGTERM still stops it, only more slowly
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while stopping " + name);
        }
    }

    /**
     * kill -9: no shutdown hook runs, nothing is flushed, the way a host crash ends it. Its children too: Java 25
     * assembles its AOT cache in a child JVM, which would otherwise write on unseen.
     */
    public void kill() {
        if (process.isAlive()) {
            signal(Signal.STOP); // stopped, it starts no child between the two lines below
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (alive() && System.nanoTime() < deadline) {
            sleep(100);
        }
    }

    /** The last 40 lines of the log. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    String marker() {
        return marker;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException("interrupted while waiting for a process");
        }
    }
}
