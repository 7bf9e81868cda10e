package dev.ferry.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/** TCP ports on this machine: a free one, whether one is taken and by whom, whether one answers. */
public final class Ports {
    private Ports() {
    }

    /** The ports {@link #free} has handed out: nobody listens on them yet when the next one is asked for. */
    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A port nobody listens on now (for tests and local migrations: the OS picks it), and never one this JVM handed
     * out before: two asked for in a row, before either is bound, could otherwise be the same (it happened: a
     * service's API and management ports collided and it never became ready).
     */
    public static int free() {
        for (int attempt = 0; attempt < 100; attempt++) {
            try (ServerSocket s = new ServerSocket(0)) {
                if (HANDED_OUT.add(s.getLocalPort())) {
                    return s.getLocalPort();
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free port on this machine", e);
            }
        }
        throw new IllegalStateException("the OS kept offering ports this JVM already handed out");
    }

    /** True when something accepts connections on 127.0.0.1:{@code port}. */
    public static boolean open(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException closed) {
            return false;
        }
    }

    /** Fails, naming the process that holds the port and the variable that moves ours, when the port is taken. */
    public static void requireFree(String what, int port, String variable) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
        } catch (IOException taken) {
            String holder = holder(port);
            throw new LaunchException("port " + port + " for " + what + " is already in use" + (holder.isEmpty() ? "" : " by " + holder)
                    + "; stop that process or choose another port with " + variable + "=<port>");
        }
    }

    /** Who listens on the port, as ss reports it ("java",pid=123,...), or nothing when ss cannot tell. */
    static String holder(int port) {
        try {
            java.io.File out = java.io.File.createTempFile("ferry-ss", ".txt");
            Process ss = new ProcessBuilder("ss", "-ltnpH", "sport = :" + port).redirectErrorStream(true)
                    .redirectOutput(out).start();
            boolean done = ss.waitFor(5, TimeUnit.SECONDS); // bounded: the output goes to a file, not a pipe we block on
            if (!done) {
                ss.destroyForcibly();
            }
            String text = done ? java.nio.file.Files.readString(out.toPath()) : "";
            out.delete();
            int users = text.indexOf("users:((");
            return users < 0 ? "" : text.substring(users + 8, text.indexOf(')', users)).trim();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
