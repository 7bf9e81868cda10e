package dev.ferry.platform.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The web console's sign-in at the local provider, as a browser goes through it: page, form, redirect, exchange. */
class AuthorizationCodeFlowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient(); // follows no redirect: the test reads them
    private static final String CONSOLE = "http://127.0.0.1:8082/console/";
    private static final String VERIFIER = "a-verifier-of-at-least-43-characters-0123456789abcdef";
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
    void discoveryAnnouncesTheLoginPageAndPkce() throws Exception {
        JsonNode d = JSON.readTree(send(HttpRequest.newBuilder(URI.create(idp.issuer() + "/.well-known/openid-configuration"))).body());
        assertThat(d.path("authorization_endpoint").asText()).isEqualTo(idp.authorizationEndpoint());
        assertThat(d.path("code_challenge_methods_supported").toString()).contains("S256");
        assertThat(d.path("grant_types_supported").toString()).contains("authorization_code");
    }

    @Test
    void aPersonSignsInOnThePageAndTheConsoleExchangesTheCodeOnceForTheirToken() throws Exception {
        HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(idp.authorizationEndpoint() + "?" + params(CONSOLE))));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("id=\"username\"", "id=\"password\"", "id=\"kc-login\"", "value=\"s-1\"");

        HttpResponse<String> wrong = signIn("operator", "not-the-password");
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("Unknown user or wrong password").doesNotContain("not-the-password");

        HttpResponse<String> signedIn = signIn("operator", idp.realm().user("operator").orElseThrow().password());
        assertThat(signedIn.statusCode()).isEqualTo(302);
        String location = signedIn.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(CONSOLE + "?code=").endsWith("&state=s-1");
        Matcher m = Pattern.compile("code=([^&]+)").matcher(location);
        assertThat(m.find()).isTrue();
        String code = m.group(1);

        assertThat(exchange(code, "another-verifier-of-at-least-43-characters-0123456789").statusCode())
                .as("a stolen code without the verifier is worthless, and the attempt spends it").isEqualTo(400);

        signedIn = signIn("operator", idp.realm().user("operator").orElseThrow().password());
        m = Pattern.compile("code=([^&]+)").matcher(signedIn.headers().firstValue("Location").orElseThrow());
        assertThat(m.find()).isTrue();
        code = m.group(1);
        HttpResponse<String> token = exchange(code, VERIFIER);
        assertThat(token.statusCode()).isEqualTo(200);
        assertThat(token.headers().firstValue("Access-Control-Allow-Origin")).as("the console reads it from its own origin")
                .contains("http://127.0.0.1:8082");
        JsonNode body = JSON.readTree(token.body());
        assertThat(Jwt.claims(body.path("access_token").asText())).containsEntry("preferred_username", "operator")
                .containsEntry("azp", AuthorizationCodes.CONSOLE_CLIENT);
        assertThat(body.path("refresh_token").asText()).isNotBlank();
        assertThat(exchange(code, VERIFIER).statusCode()).as("a code is used once").isEqualTo(400);
    }

    @Test
    void aRedirectAwayFromThisMachineOrWithoutPkceIsRefusedWithoutRedirecting() throws Exception {
        HttpResponse<String> foreign = send(HttpRequest.newBuilder(URI.create(idp.authorizationEndpoint() + "?"
                + params("https://evil.example/console/"))));
        assertThat(foreign.statusCode()).isEqualTo(400);
        assertThat(foreign.headers().firstValue("Location")).isEmpty();
        assertThat(foreign.body()).contains("loopback");

        HttpResponse<String> noPkce = send(HttpRequest.newBuilder(URI.create(idp.authorizationEndpoint()
                + "?response_type=code&client_id=ferry-console&redirect_uri=" + enc(CONSOLE))));
        assertThat(noPkce.statusCode()).isEqualTo(400);
        assertThat(noPkce.body()).contains("PKCE");

        HttpResponse<String> otherClient = send(HttpRequest.newBuilder(URI.create(idp.authorizationEndpoint() + "?"
                + params(CONSOLE).replace("client_id=ferry-console", "client_id=scheduler-service"))));
        assertThat(otherClient.statusCode()).isEqualTo(400);
    }

    @Test
    void theTokenEndpointAnswersTheBrowsersPreflightForLoopbackOriginsOnly() throws Exception {
        HttpResponse<String> local = send(HttpRequest.newBuilder(URI.create(idp.tokenEndpoint()))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "http://localhost:8082"));
        assertThat(local.statusCode()).isEqualTo(204);
        assertThat(local.headers().firstValue("Access-Control-Allow-Origin")).contains("http://localhost:8082");
        HttpResponse<String> foreign = send(HttpRequest.newBuilder(URI.create(idp.tokenEndpoint()))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example"));
        assertThat(foreign.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    private static String params(String redirect) {
        return "response_type=code&client_id=ferry-console&redirect_uri=" + enc(redirect) + "&state=s-1"
                + "&code_challenge_method=S256&code_challenge=" + AuthorizationCodes.challenge(VERIFIER);
    }

    private static HttpResponse<String> signIn(String user, String password) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(idp.authorizationEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(params(CONSOLE) + "&username=" + enc(user) + "&password=" + enc(password))));
    }

    private static HttpResponse<String> exchange(String code, String verifier) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(idp.tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Origin", "http://127.0.0.1:8082")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&client_id=ferry-console&code=" + code
                        + "&redirect_uri=" + enc(CONSOLE) + "&code_verifier=" + enc(verifier))));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

}
