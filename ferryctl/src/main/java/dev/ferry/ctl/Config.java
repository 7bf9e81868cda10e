package dev.ferry.ctl;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * ferryctl's settings file, as kubectl keeps a kubeconfig: the two services' endpoints, the identity provider, and the
 * signed-in user's tokens. {@code $FERRYCTL_CONFIG}, else {@code ~/.config/ferry/ferryctl.yaml}; owner-only, since it
 * holds a token. The defaults are {@code ./ferry up}'s.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public final class Config {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public String inventory = "http://127.0.0.1:8081";
    public String scheduler = "http://127.0.0.1:8082";
    /** The OpenID provider's issuer URL; its token endpoint is {@code <issuer>/protocol/openid-connect/token}. */
    public String issuer = "http://127.0.0.1:8084/realms/ferry";
    public String clientId = "ferry-cli";
    public String user;
    public String token;
    public String refreshToken;
    /** When the token expires, in epoch seconds. */
    public Long expiresAt;

    static Path defaultPath(Map<String, String> env) {
        String given = env.get("FERRYCTL_CONFIG");
        return given != null && !given.isBlank() ? Path.of(given)
                : Path.of(System.getProperty("user.home"), ".config", "ferry", "ferryctl.yaml");
    }

    static Config load(Path file) {
        if (!Files.exists(file)) {
            return new Config();
        }
        try {
            Config c = YAML.readValue(file.toFile(), Config.class);
            return c == null ? new Config() : c;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Written to a file of the owner's alone, then moved over the old one: a crash never leaves half a file. */
    void save(Path file) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, ".ferryctl", ".yaml");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // a file system without POSIX permissions: the directory's own protection applies
            }
            YAML.writeValue(tmp.toFile(), this);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
