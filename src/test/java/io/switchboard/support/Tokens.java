package io.switchboard.support;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Mints any token a test needs (valid, expired, forged, alg none) with the test clusters' secret. */
public final class Tokens {

  public static final String SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789";

  private Tokens() {
  }

  public static String user(String sub) {
    return of(new JsonObject().put("sub", sub).put("name", cap(sub)).put("exp", nowSeconds() + 3600));
  }

  public static String of(JsonObject claims) {
    return sign(new JsonObject().put("alg", "HS256").put("typ", "JWT"), claims, SECRET);
  }

  public static String signedWith(String secret, JsonObject claims) {
    return sign(new JsonObject().put("alg", "HS256").put("typ", "JWT"), claims, secret);
  }

  /** An unsigned token ({@code alg: none}): must be refused. */
  public static String unsigned(JsonObject claims) {
    return b64(new JsonObject().put("alg", "none").put("typ", "JWT").encode()) + "." + b64(claims.encode()) + ".";
  }

  public static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  private static String sign(JsonObject header, JsonObject claims, String secret) {
    String input = b64(header.encode()) + "." + b64(claims.encode());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
          mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String cap(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
