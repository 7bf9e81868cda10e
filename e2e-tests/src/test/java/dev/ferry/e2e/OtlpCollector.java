package dev.ferry.e2e;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPInputStream;

/**
 * A stand-in OpenTelemetry collector: takes the services' trace exports over OTLP/HTTP (protobuf) and keeps their
 * spans for the tests to look at. It reads the few fields of the OTLP trace messages a test asks about, straight from
 * the protobuf wire format (opentelemetry-proto's generated classes would pin a protobuf runtime the BOM fixes).
 */
final class OtlpCollector implements AutoCloseable {
    static final int INTERNAL = 1;
    static final int SERVER = 2;
    static final int CLIENT = 3;
    static final int PRODUCER = 4;
    static final int CONSUMER = 5;

    /** One exported span: the service that recorded it, where it sits in its trace, and its string-valued attributes. */
    record Span(String service, String traceId, String spanId, String parentSpanId, String name, int kind,
            Map<String, String> attributes, List<String> linkedSpanIds) {
        String attribute(String key) {
            return attributes.get(key);
        }

        @Override
        public String toString() {
            return service + " " + kindName(kind) + " '" + name + "' " + spanId + " <- " + parentSpanId + " " + attributes;
        }
    }

    private final HttpServer server;
    private final List<Span> spans = new CopyOnWriteArrayList<>();

    private OtlpCollector(HttpServer server) {
        this.server = server;
    }

    static OtlpCollector start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        OtlpCollector collector = new OtlpCollector(server);
        server.createContext("/", exchange -> {
            try (InputStream raw = exchange.getRequestBody()) {
                byte[] body = raw.readAllBytes();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    body = new GZIPInputStream(new ByteArrayInputStream(body)).readAllBytes();
                }
                if (exchange.getRequestURI().getPath().endsWith("/v1/traces")) {
                    collector.spans.addAll(exportRequest(body));
                }
                // an empty ExportTraceServiceResponse: everything accepted
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, -1);
            } catch (RuntimeException malformed) {
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
        return collector;
    }

    /** The base URL to give the services as their OTLP endpoint. */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Span> spans() {
        return List.copyOf(spans);
    }

    List<Span> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static String kindName(int kind) {
        return switch (kind) {
            case INTERNAL -> "INTERNAL";
            case SERVER -> "SERVER";
            case CLIENT -> "CLIENT";
            case PRODUCER -> "PRODUCER";
            case CONSUMER -> "CONSUMER";
            default -> "UNSPECIFIED";
        };
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1 }
    static List<Span> exportRequest(byte[] message) {
        List<Span> out = new ArrayList<>();
        for (Wire.Field f : Wire.fields(message)) {
            if (f.number() == 1) {
                resourceSpans(f.bytes(), out);
            }
        }
        return out;
    }

    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2 }; Resource { repeated KeyValue attributes = 1 }
    private static void resourceSpans(byte[] message, List<Span> out) {
        String service = "?";
        List<byte[]> scopes = new ArrayList<>();
        for (Wire.Field f : Wire.fields(message)) {
            if (f.number() == 1) {
                service = attributes(f.bytes(), 1).getOrDefault("service.name", "?");
            } else if (f.number() == 2) {
                scopes.add(f.bytes());
            }
        }
        for (byte[] scope : scopes) {
            // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2 }
            for (Wire.Field f : Wire.fields(scope)) {
                if (f.number() == 2) {
                    out.add(span(service, f.bytes()));
                }
            }
        }
    }

    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
    //        repeated KeyValue attributes = 9; repeated Link links = 13 }; Link { bytes trace_id = 1; bytes span_id = 2 }
    private static Span span(String service, byte[] message) {
        String trace = "";
        String id = "";
        String parent = "";
        String name = "";
        int kind = 0;
        List<String> links = new ArrayList<>();
        for (Wire.Field f : Wire.fields(message)) {
            switch (f.number()) {
                case 1 -> trace = HexFormat.of().formatHex(f.bytes());
                case 2 -> id = HexFormat.of().formatHex(f.bytes());
                case 4 -> parent = HexFormat.of().formatHex(f.bytes());
                case 5 -> name = f.string();
                case 6 -> kind = (int) f.varint();
                case 13 -> Wire.fields(f.bytes()).stream().filter(l -> l.number() == 2)
                        .forEach(l -> links.add(HexFormat.of().formatHex(l.bytes())));
                default -> { }
            }
        }
        return new Span(service, trace, id, parent, name, kind, attributes(message, 9), links);
    }

    // KeyValue { string key = 1; AnyValue value = 2 }; AnyValue { string string_value = 1; bool bool_value = 2; int64 int_value = 3 }
    private static Map<String, String> attributes(byte[] message, int field) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Wire.Field f : Wire.fields(message)) {
            if (f.number() != field) {
                continue;
            }
            String key = null;
            String value = null;
            for (Wire.Field kv : Wire.fields(f.bytes())) {
                if (kv.number() == 1) {
                    key = kv.string();
                } else if (kv.number() == 2) {
                    for (Wire.Field any : Wire.fields(kv.bytes())) {
                        value = switch (any.number()) {
                            case 1 -> any.string();
                            case 2 -> String.valueOf(any.varint() != 0);
                            case 3 -> String.valueOf(any.varint());
                            default -> value;
                        };
                    }
                }
            }
            if (key != null) {
                out.put(key, value);
            }
        }
        return out;
    }

    /** The protobuf wire format, as far as reading the fields of one message goes. */
    static final class Wire {
        record Field(int number, long varint, byte[] bytes) {
            String string() {
                return new String(bytes, StandardCharsets.UTF_8);
            }
        }

        static List<Field> fields(byte[] message) {
            List<Field> out = new ArrayList<>();
            int[] at = {0};
            while (at[0] < message.length) {
                long tag = varint(message, at);
                int number = (int) (tag >>> 3);
                switch ((int) (tag & 7)) {
                    case 0 -> out.add(new Field(number, varint(message, at), null));
                    case 1 -> {
                        out.add(new Field(number, 0, java.util.Arrays.copyOfRange(message, at[0], at[0] + 8)));
                        at[0] += 8;
                    }
                    case 2 -> {
                        int length = (int) varint(message, at);
                        out.add(new Field(number, 0, java.util.Arrays.copyOfRange(message, at[0], at[0] + length)));
                        at[0] += length;
                    }
                    case 5 -> {
                        out.add(new Field(number, 0, java.util.Arrays.copyOfRange(message, at[0], at[0] + 4)));
                        at[0] += 4;
                    }
                    default -> throw new IllegalArgumentException("protobuf wire type " + (tag & 7) + " at " + at[0]);
                }
            }
            return out;
        }

        private static long varint(byte[] b, int[] at) {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte next = b[at[0]++];
                value |= (long) (next & 0x7f) << shift;
                if ((next & 0x80) == 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }
    }
}
