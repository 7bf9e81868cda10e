package dev.ferry.platform.identity;

import java.util.Map;

/**
 * The local provider's sign-in form. Its field and button names are Keycloak's ({@code username}, {@code password},
 * {@code kc-login}), so that a browser test signs in the same way on either provider.
 */
final class LoginPage {
    private LoginPage() {
    }

    static String html(AuthorizationCodes.Request r, String error) {
        StringBuilder hidden = new StringBuilder();
        Map.of("response_type", "code", "client_id", r.clientId(), "redirect_uri", r.redirectUri(), "state", r.state(),
                "code_challenge", r.codeChallenge(), "code_challenge_method", "S256")
                .forEach((k, v) -> hidden.append("<input type=\"hidden\" name=\"").append(k).append("\" value=\"")
                        .append(escape(v)).append("\">\n"));
        return """
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Sign in to Ferry</title>
                <style>body{font:15px system-ui,sans-serif;background:#f4f6f8;display:grid;place-items:center;height:100vh;margin:0}
                form{background:#fff;padding:2em;border-radius:8px;box-shadow:0 1px 4px #0002;display:grid;gap:.8em;width:18em}
                .error{color:#b00020}</style></head>
                <body><form method="post">
                <h2>Sign in to Ferry</h2>
                <p>Local identity provider (./ferry up)</p>
                %s
                <label>User <input id="username" name="username" autofocus autocomplete="username"></label>
                <label>Password <input id="password" name="password" type="password" autocomplete="current-password"></label>
                %s<button id="kc-login" type="submit">Sign in</button>
                </form></body></html>
                """.formatted(hidden, error == null ? "" : "<p class=\"error\" id=\"input-error\">" + escape(error) + "</p>\n");
    }

    /** The page for a request that cannot be served at all (no redirect: the URI may be the attacker's). */
    static String refused(String reason) {
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in refused</title></head>"
                + "<body><h2>Sign-in refused</h2><p>" + escape(reason) + "</p></body></html>";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
    }
}
