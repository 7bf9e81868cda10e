package dev.ferry.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Throwaway certificates for libvirt over TLS on this machine, made with openssl: a CA, a server certificate for
 * 127.0.0.1 and localhost (what the tests' URIs name, so libvirt's hostname check passes without being switched off),
 * and a client certificate (CN=ferry-worker) that the hosts require. The directory is laid out as libvirt's
 * {@code pkipath} URI parameter expects (cacert.pem, clientcert.pem, clientkey.pem), with the server's pair beside.
 * For the tests and the local demo; a real fleet's certificates come from its own CA (docs/DEPLOY.md).
 */
public final class Pki {
    /** The client certificate's subject, which the hosts admit (tls_allowed_dn_list). */
    public static final String CLIENT_CN = "ferry-worker";
    private final Path dir;

    private Pki(Path dir) {
        this.dir = dir;
    }

    /** Makes the CA and both certificates in {@code dir}, or reuses them if they are there. */
    public static Pki create(Path dir) {
        Pki pki = new Pki(dir);
        if (Files.exists(pki.clientCert())) {
            return pki;
        }
        try {
            Files.createDirectories(dir);
            openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", "/O=Ferry/CN=Ferry test CA",
                    "-keyout", "cakey.pem", "-out", "cacert.pem");
            Files.writeString(dir.resolve("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                    + "extendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n");
            Files.writeString(dir.resolve("client.ext"), "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n");
            issue(dir, "server", "/O=Ferry/CN=127.0.0.1");
            issue(dir, "client", "/O=Ferry/CN=" + CLIENT_CN);
        } catch (IOException e) {
            throw new LaunchException("could not make test certificates in " + dir + ": " + e.getMessage(), e);
        }
        return pki;
    }

    private static void issue(Path dir, String who, String subject) throws IOException {
        openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", who + "key.pem", "-out", who + ".csr");
        openssl(dir, "x509", "-req", "-in", who + ".csr", "-CA", "cacert.pem", "-CAkey", "cakey.pem", "-CAcreateserial",
                "-days", "30", "-extfile", who + ".ext", "-out", who + "cert.pem");
    }

    private static void openssl(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException("openssl " + String.join(" ", args) + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: openssl", e);
        }
    }

    /** The directory a client names as {@code pkipath}. */
    public Path dir() {
        return dir;
    }

    public Path caCert() {
        return dir.resolve("cacert.pem");
    }

    public Path serverCert() {
        return dir.resolve("servercert.pem");
    }

    public Path serverKey() {
        return dir.resolve("serverkey.pem");
    }

    public Path clientCert() {
        return dir.resolve("clientcert.pem");
    }
}
