package dev.ferry.platform;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where the local platform keeps everything (.ferry/ under the project: logs, pids, data) and its ports, each set by
 * the environment variable named beside it.
 */
public record Layout(Path root, Path state, Map<String, String> env) {

    /** The platform of ./ferry: its state in .ferry/ under the project. */
    public static Layout of(Path root, Map<String, String> env) {
        return new Layout(root, root.resolve(".ferry"), env);
    }

    public Path logs() {
        return state().resolve("logs");
    }

    public Path pids() {
        return state().resolve("pids");
    }

    public Path data() {
        return state().resolve("data");
    }

    public Path log(String name) {
        return logs().resolve(name + ".log");
    }

    public Path pidFile(String name) {
        return pids().resolve(name + ".pid");
    }

    public int port(String variable, int fallback) {
        int port = number(variable, fallback, "a port number (1 to 65535)");
        if (port < 1 || port > 65535) {
            throw new LaunchException(variable + "=" + port + " is not a port number (1 to 65535)");
        }
        return port;
    }

    private int number(String variable, int fallback, String what) {
        String v = env.get(variable);
        if (v == null || v.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new LaunchException(variable + "=" + v + " is not " + what);
        }
    }

    public int kafkaPort() {
        return port("FERRY_KAFKA_PORT", 9092);
    }

    public int kafkaControllerPort() {
        return port("FERRY_KAFKA_CONTROLLER_PORT", 9093);
    }

    public int dbPort() {
        return port("FERRY_DB_PORT", 5433);
    }

    /** The local identity provider (./ferry up): its port, its realm's files and its issuer URL. */
    public int identityPort() {
        return port("FERRY_IDENTITY_PORT", 8084);
    }

    public Path identity() {
        return state().resolve("identity");
    }

    public String identityIssuer() {
        return "http://127.0.0.1:" + identityPort() + dev.ferry.platform.identity.LocalIdentity.REALM_PATH;
    }

    public int servicePort(FerryService s) {
        return port(s.portVariable, s.defaultPort);
    }

    public int managementPort(FerryService s) {
        return port(s.managementPortVariable, s.defaultManagementPort);
    }

    /** How long a component may take to become ready before start-up is declared failed (FERRY_START_TIMEOUT, seconds). */
    public java.time.Duration startTimeout() {
        int seconds = number("FERRY_START_TIMEOUT", 120, "a number of seconds");
        if (seconds < 1) {
            throw new LaunchException("FERRY_START_TIMEOUT=" + seconds + " is not a number of seconds (at least 1)");
        }
        return java.time.Duration.ofSeconds(seconds);
    }
}
