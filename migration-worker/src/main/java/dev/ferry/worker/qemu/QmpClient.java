package dev.ferry.worker.qemu;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One QMP connection over a unix socket: JSON lines, one reader thread that matches replies to commands by id
 * and queues events as they come. Every call is bounded: a QEMU that stops answering is an error, not a hang.
 * Blocking I/O: call it from a worker thread, never from an event loop.
 */
public final class QmpClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SocketChannel channel;
    private final Object writeLock = new Object();
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
    private final AtomicLong ids = new AtomicLong();
    private final Thread reader;
    private final String name;
    private volatile IOException broken;

    private QmpClient(String name, SocketChannel channel) throws IOException {
        this.name = name;
        this.channel = channel;
        // The channel itself, not Channels' streams: those share one lock, and a blocked read would block every write.
        this.reader = new Thread(this::read, "qmp-" + name);
        this.reader.setDaemon(true);
        this.reader.start();
    }

    /** Connects, waits for the greeting and leaves capabilities negotiation mode. */
    public static QmpClient connect(Path socket, Duration timeout) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            channel.close();
            throw new IOException("cannot reach QEMU's QMP socket " + socket + ": " + e.getMessage(), e);
        }
        QmpClient client = new QmpClient(socket.getFileName().toString(), channel);
        client.execute("qmp_capabilities", null, timeout);
        return client;
    }

    private void read() {
        try {
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b != '\n') {
                        line.write(b);
                        continue;
                    }
                    dispatch(line.toString(StandardCharsets.UTF_8));
                    line.reset();
                }
                buffer.clear();
            }
            broken = new IOException("QEMU closed the QMP connection " + name);
        } catch (IOException e) {
            broken = e;
        }
        pending.values().forEach(f -> f.completeExceptionally(broken));
    }

    private void dispatch(String line) throws IOException {
        if (line.isBlank()) {
            return;
        }
        JsonNode msg = JSON.readTree(line);
        if (msg.has("event")) {
            events.add(msg);
        } else if (msg.has("id")) {
            CompletableFuture<JsonNode> reply = pending.remove(msg.get("id").asText());
            if (reply != null) {
                reply.complete(msg);
            }
        } // the greeting ({"QMP": ...}) needs no answer
    }

    /** Runs a command and returns its "return" value; a QMP error becomes a {@link QmpException} with QEMU's words. */
    public JsonNode execute(String command, Map<String, ?> arguments, Duration timeout) throws IOException {
        if (broken != null) {
            throw new IOException("QMP connection " + name + " is gone", broken);
        }
        String id = Long.toString(ids.incrementAndGet());
        ObjectNode msg = JSON.createObjectNode().put("execute", command).put("id", id);
        if (arguments != null) {
            msg.set("arguments", JSON.valueToTree(arguments));
        }
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        pending.put(id, reply);
        ByteBuffer bytes = ByteBuffer.wrap((JSON.writeValueAsString(msg) + "\n").getBytes(StandardCharsets.UTF_8));
        synchronized (writeLock) {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }
        JsonNode answer;
        try {
            answer = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            pending.remove(id);
            throw new IOException("QEMU did not answer " + command + " on " + name + " within " + timeout.toMillis() + " ms"
                    + ("qmp_capabilities".equals(command) ? " (a QMP socket serves one client at a time: is another connected?)" : ""));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for " + command, e);
        } catch (ExecutionException e) {
            throw new IOException("QMP connection " + name + " failed during " + command, e.getCause());
        }
        if (answer.has("error")) {
            throw new QmpException(command, answer.get("error").path("class").asText(), answer.get("error").path("desc").asText());
        }
        return answer.get("return");
    }

    /** The next event, or null when none came within the timeout. */
    public JsonNode nextEvent(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** QEMU refused a command. */
    public static final class QmpException extends IOException {
        public final String errorClass;

        QmpException(String command, String errorClass, String description) {
            super(command + " refused by QEMU (" + errorClass + "): " + description);
            this.errorClass = errorClass;
        }
    }
}
