package dev.ferry.support.tracing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Tracing is off unless an OTLP endpoint is configured ({@code FERRY_OTLP_ENDPOINT}, or the system property
 * {@code ferry.otlp.endpoint}): one setting turns the OpenTelemetry SDK on and points its exporter there, instead of
 * two that must agree. Without it the SDK is disabled: nothing is exported and no exporter retries a collector that
 * does not exist (Quarkus still gives spans ids, so traceparents travel all the same). Its ordinal sits above application.properties and below the environment and system properties, so a
 * {@code QUARKUS_OTEL_*} variable set by an operator still wins.
 */
public class TracingSwitch implements ConfigSource {
    static final String ENV = "FERRY_OTLP_ENDPOINT";
    static final String PROPERTY = "ferry.otlp.endpoint";
    static final String SDK_DISABLED = "quarkus.otel.sdk.disabled";
    static final String TRACES_ENDPOINT = "quarkus.otel.exporter.otlp.traces.endpoint";

    private final Map<String, String> values;

    public TracingSwitch() {
        this(System.getProperty(PROPERTY, System.getenv(ENV)));
    }

    TracingSwitch(String endpoint) {
        Map<String, String> v = new HashMap<>();
        boolean on = endpoint != null && !endpoint.isBlank();
        v.put(SDK_DISABLED, String.valueOf(!on));
        if (on) {
            v.put(TRACES_ENDPOINT, checked(endpoint.trim()));
        }
        values = Map.copyOf(v);
    }

    /**
     * An endpoint the exporter can use, or a start that fails saying which setting is wrong: a host:port without a
     * scheme would otherwise be taken as a URL with no host and every span silently dropped.
     */
    static String checked(String endpoint) {
        String problem = null;
        try {
            java.net.URI uri = new java.net.URI(endpoint);
            if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
                problem = "it names no http:// or https:// scheme";
            } else if (uri.getHost() == null) {
                problem = "it names no host (a host name has letters, digits, dots and hyphens only: no '_')";
            }
        } catch (java.net.URISyntaxException e) {
            problem = "it is not a URL (" + e.getMessage() + ")";
        }
        if (problem != null) {
            throw new IllegalArgumentException(ENV + " (or -D" + PROPERTY + ") is '" + endpoint + "', which is not an OTLP "
                    + "endpoint: " + problem + ". Give the collector's URL, such as http://otel-collector:4317 (gRPC) or "
                    + "http://otel-collector:4318 with QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf; unset it to "
                    + "turn tracing off.");
        }
        return endpoint;
    }

    @Override
    public Map<String, String> getProperties() {
        return values;
    }

    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public String getValue(String name) {
        return values.get(name);
    }

    @Override
    public String getName() {
        return "ferry-tracing-switch";
    }

    @Override
    public int getOrdinal() {
        return 260;
    }
}
