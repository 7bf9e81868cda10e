package dev.ferry.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalIdentityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static LocalIdentity idp;

    @BeforeAll
    static void start() {
        idp = LocalIdentity.start(LocalRealm.generate(), "127.0.0.1", 0, Duration.ofMinutes(5));
    }

    @AfterAll
    static void stop() {
        idp.close();
    }

    @Test
    void discoveryNamesTheIssuerKeysAndTokenEndpoint() throws Exception {
        JsonNode d = get(idp.issuer() + "/.well-known/openid-configuration");
        assertThat(d.path("issuer").asText()).isEqualTo(idp.issuer()).endsWith("/realms/ferry");
        assertThat(d.path("token_endpoint").asText()).isEqualTo(idp.tokenEndpoint());
        assertThat(get(d.path("jwks_uri").asText()).path("keys").get(0).path("kid").asText()).isEqualTo(idp.realm().keyId());
    }

    @Test
    void passwordGrantGivesAUserTokenSignedByThePublishedKey() throws Exception {
        String password = idp.realm().user("operator").orElseThrow().password();
        HttpResponse<String> r = post("grant_type=password&client_id=ferry-cli&username=operator&password="
                + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8), null);
        assertThat(r.statusCode()).isEqualTo(200);
        String token = JSON.readTree(r.body()).path("access_token").asText();
        Map<String, Object> claims = Jwt.claims(token);
        assertThat(claims).containsEntry("iss", idp.issuer()).containsEntry("preferred_username", "operator")
                .containsEntry("realm_access", Map.of("roles", java.util.List.of("operator")));
        assertThat(((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue()).isEqualTo(300);
        assertThat(verifies(token)).isTrue();
        assertThat(verifies(token.substring(0, token.length() - 4) + "AAAA")).isFalse();
    }

    @Test
    void closesEachConnectionAfterItsAnswerSoThatNoClientReusesOneItIsAboutToDrop() throws Exception {
        java.net.URI issuer = java.net.URI.create(idp.issuer());
        try (java.net.Socket socket = new java.net.Socket(issuer.getHost(), issuer.getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(("GET " + issuer.getPath() + "/.well-known/openid-configuration HTTP/1.1\r\nHost: "
                    + issuer.getHost() + "\r\nConnection: keep-alive\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            // the whole answer, then end of stream: the server closed the connection although the client asked to keep it
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(answer).startsWith("HTTP/1.1 200").containsIgnoringCase("connection: close").contains(idp.issuer());
        }
    }

    @Test
    void aRefreshTokenGivesANewTokenOnceAndOnlyToItsClient() throws Exception {
        String password = idp.realm().user("viewer").orElseThrow().password();
        JsonNode signedIn = JSON.readTree(post("grant_type=password&client_id=ferry-cli&username=viewer&password="
                + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8), null).body());
        String refresh = signedIn.path("refresh_token").asText();
        assertThat(refresh).isNotBlank();

        assertThat(post("grant_type=refresh_token&client_id=another&refresh_token=" + refresh, null).statusCode())
                .as("another client cannot use it (and the attempt spends it)").isEqualTo(400);
        refresh = JSON.readTree(post("grant_type=password&client_id=ferry-cli&username=viewer&password="
                + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8), null).body()).path("refresh_token").asText();
        HttpResponse<String> renewed = post("grant_type=refresh_token&client_id=ferry-cli&refresh_token=" + refresh, null);
        assertThat(renewed.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(renewed.body());
        assertThat(Jwt.claims(body.path("access_token").asText())).containsEntry("preferred_username", "viewer");
        assertThat(verifies(body.path("access_token").asText())).isTrue();
        assertThat(body.path("refresh_token").asText()).isNotBlank().isNotEqualTo(refresh);
        HttpResponse<String> again = post("grant_type=refresh_token&client_id=ferry-cli&refresh_token=" + refresh, null);
        assertThat(again.statusCode()).as("a refresh token is used once").isEqualTo(400);
        assertThat(JSON.readTree(again.body()).path("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void wrongPasswordIsRefusedAsInvalidGrant() throws Exception {
        HttpResponse<String> r = post("grant_type=password&username=operator&password=guess", null);
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void clientCredentialsByBasicAuthOrFormGiveTheServiceAccountItsOwnRoles() throws Exception {
        LocalRealm.Client worker = idp.realm().client("migration-worker").orElseThrow();
        String basic = Base64.getEncoder().encodeToString((worker.id() + ":" + worker.secret()).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> byBasic = post("grant_type=client_credentials", "Basic " + basic);
        HttpResponse<String> byForm = post("grant_type=client_credentials&client_id=migration-worker&client_secret="
                + worker.secret(), null);
        for (HttpResponse<String> r : java.util.List.of(byBasic, byForm)) {
            assertThat(r.statusCode()).isEqualTo(200);
            Map<String, Object> claims = Jwt.claims(JSON.readTree(r.body()).path("access_token").asText());
            assertThat(claims).containsEntry("preferred_username", "service-account-migration-worker")
                    .containsEntry("azp", "migration-worker").containsEntry("realm_access", Map.of("roles", java.util.List.of("worker")));
        }
        assertThat(post("grant_type=client_credentials&client_id=migration-worker&client_secret=nope", null).statusCode())
                .isEqualTo(401);
        assertThat(post("grant_type=implicit", null).statusCode()).isEqualTo(400);
    }

    @Test
    void realmIsGeneratedOnceOwnerOnlyAndReadBackWithTheSameKey(@TempDir Path dir) throws Exception {
        LocalRealm first = LocalRealm.loadOrCreate(dir);
        LocalRealm again = LocalRealm.loadOrCreate(dir);
        assertThat(again.key().getPublic()).isEqualTo(first.key().getPublic());
        assertThat(again.users()).isEqualTo(first.users());
        assertThat(again.clients()).isEqualTo(first.clients());
        assertThat(first.users()).extracting(LocalRealm.User::name).containsExactly("viewer", "operator", "admin");
        assertThat(first.users().stream().map(LocalRealm.User::password).distinct()).hasSize(3);
        for (String f : new String[] {"realm.json", "signing-key.pk8"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f)))).isEqualTo("rw-------");
        }
    }

    private static boolean verifies(String token) throws Exception {
        JsonNode jwk = get(idp.issuer() + "/protocol/openid-connect/certs").path("keys").get(0);
        Base64.Decoder d = Base64.getUrlDecoder();
        PublicKey key = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
                new BigInteger(1, d.decode(jwk.path("n").asText())), new BigInteger(1, d.decode(jwk.path("e").asText()))));
        String[] parts = token.split("\\.");
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(key);
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        try {
            return rsa.verify(d.decode(parts[2]));
        } catch (java.security.SignatureException | IllegalArgumentException e) {
            return false;
        }
    }

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static HttpResponse<String> post(String form, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(idp.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
