package dev.ferry.platform.identity;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** JSON Web Tokens signed with RS256 (RFC 7515/7519), and the public key as a JWK (RFC 7517): all an issuer needs. */
public final class Jwt {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private Jwt() {
    }

    /** header.payload.signature, the header naming RS256 and the key's id. */
    public static String sign(Map<String, Object> claims, PrivateKey key, String keyId) {
        try {
            String header = encode(JSON.writeValueAsBytes(Map.of("alg", "RS256", "typ", "JWT", "kid", keyId)));
            String payload = encode(JSON.writeValueAsBytes(claims));
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(key);
            rsa.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + encode(rsa.sign());
        } catch (GeneralSecurityException | com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("could not sign a token: " + e.getMessage(), e);
        }
    }

    /** The public half as a JWK for the JWKS document that verifiers fetch. */
    public static Map<String, Object> jwk(RSAPublicKey key, String keyId) {
        Map<String, Object> jwk = new LinkedHashMap<>();
        jwk.put("kty", "RSA");
        jwk.put("use", "sig");
        jwk.put("alg", "RS256");
        jwk.put("kid", keyId);
        jwk.put("n", encode(unsigned(key.getModulus())));
        jwk.put("e", encode(unsigned(key.getPublicExponent())));
        return jwk;
    }

    /** The claims of a token, without checking its signature (for tests and for printing). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> claims(String token) {
        String[] parts = token.split("\\.");
        if (parts.length != 3) {
            throw new IllegalArgumentException("not a JWT (three dot-separated parts expected)");
        }
        try {
            return JSON.readValue(Base64.getUrlDecoder().decode(parts[1]), Map.class);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("not a JWT: " + e.getMessage(), e);
        }
    }

    private static String encode(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    /** A JWK's integers are unsigned big-endian: BigInteger's sign byte goes. */
    private static byte[] unsigned(BigInteger n) {
        byte[] b = n.toByteArray();
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }
}
