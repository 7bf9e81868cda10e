package dev.ferry.platform.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Who exists in the local identity provider: a demo user per role, a client (service account) per service with the
 * narrowest roles it needs, and the signing key. Generated once per machine under .ferry/identity/, never committed:
 * the passwords and secrets are random.
 */
public record LocalRealm(KeyPair key, String keyId, List<User> users, List<Client> clients) {

    /** A person: signs in with a password (the password grant) and holds roles. */
    public record User(String name, String password, List<String> roles) {
    }

    /** A service: its own credentials (the client-credentials grant) and roles. */
    public record Client(String id, String secret, List<String> roles) {
    }

    private record Stored(String keyId, List<User> users, List<Client> clients) {
    }

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * Ferry's demo realm: users viewer, operator and admin; the scheduler's client reads inventory and reserves
     * destinations, the worker's client claims migrations; nothing else.
     */
    public static LocalRealm generate() {
        return new LocalRealm(newKey(), "ferry-" + secret().substring(0, 8), List.of(
                new User("viewer", secret(), List.of("viewer")),
                new User("operator", secret(), List.of("operator")),
                new User("admin", secret(), List.of("admin"))), List.of(
                new Client("scheduler-service", secret(), List.of("viewer", "scheduler")),
                new Client("migration-worker", secret(), List.of("worker"))));
    }

    /** The realm stored in {@code dir}, generated there (owner-only files) the first time. */
    public static LocalRealm loadOrCreate(Path dir) {
        Path realm = dir.resolve("realm.json");
        Path key = dir.resolve("signing-key.pk8");
        try {
            if (Files.exists(realm) && Files.exists(key)) {
                Stored s = JSON.readValue(realm.toFile(), Stored.class);
                return new LocalRealm(readKey(Files.readAllBytes(key)), s.keyId(), s.users(), s.clients());
            }
            LocalRealm fresh = generate();
            Files.createDirectories(dir);
            writePrivate(key, fresh.key().getPrivate().getEncoded());
            writePrivate(realm, JSON.writeValueAsBytes(new Stored(fresh.keyId(), fresh.users(), fresh.clients())));
            return fresh;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("could not read or create the local identity under " + dir + ": " + e.getMessage()
                    + " (delete the directory to generate a new one)", e);
        }
    }

    public Optional<User> user(String name) {
        return users.stream().filter(u -> u.name().equals(name)).findFirst();
    }

    public Optional<Client> client(String id) {
        return clients.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048, RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no RSA key generator: " + e.getMessage(), e);
        }
    }

    /** PKCS#8 holds the public exponent too, so the public key is derived rather than stored twice. */
    private static KeyPair readKey(byte[] pkcs8) throws GeneralSecurityException {
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        RSAPrivateCrtKey priv = (RSAPrivateCrtKey) rsa.generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        return new KeyPair(rsa.generatePublic(new RSAPublicKeySpec(priv.getModulus(), priv.getPublicExponent())), priv);
    }

    private static void writePrivate(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, content);
    }

    private static String secret() {
        byte[] b = new byte[18];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
