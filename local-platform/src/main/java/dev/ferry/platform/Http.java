package dev.ferry.platform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ferry.ctl.Api;

/** The launcher's and the tools' JSON-over-HTTP calls, by full URL, through ferryctl's {@link Api}; every call is bounded. */
public final class Http {
    public static final ObjectMapper JSON = new ObjectMapper();

    /** A response that was not 2xx, with the problem body the service sent. */
    public static final class Failure extends RuntimeException {
        final int status;
        final JsonNode body;

        Failure(String method, String url, int status, JsonNode body) {
            super(method + " " + url + " answered " + status + ": " + body.path("detail").asText(body.toString()));
            this.status = status;
            this.body = body;
        }
    }

    /** The caller's bearer token, put on every request once signed in (a command acts as one user). */
    private static volatile String bearer;
    private static final Api API = new Api("", "", () -> bearer);

    private Http() {
    }

    /** From now on every request carries this token (see {@link LocalLogin}). */
    public static void signIn(String token) {
        bearer = token;
    }

    public static JsonNode get(String url) {
        return send("GET", url, null);
    }

    public static JsonNode post(String url, Object body) {
        return send("POST", url, body);
    }

    public static JsonNode put(String url, Object body) {
        return send("PUT", url, body);
    }

    /** ferryctl's client: one home for calling Ferry's APIs, its refusals turned into this class's Failure. */
    static JsonNode send(String method, String url, Object body) {
        try {
            return API.call(method, url, body);
        } catch (Api.Refused refused) {
            throw new Failure(method, url, refused.status, refused.problem);
        } catch (Api.Unreachable unreachable) {
            throw new IllegalStateException(unreachable.getMessage(), unreachable);
        }
    }
}
