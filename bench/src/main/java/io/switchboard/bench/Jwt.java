package io.switchboard.bench;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** HS256 tokens signed with the secret the server was started with, so every connect is checked. */
final class Jwt {

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final String HEADER = b64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");

  private final SecretKeySpec key;
  /** Tokens signed ahead of a timed phase, so that the generator's signing is not in its figure. */
  private final java.util.Map<String, String> ahead = new java.util.concurrent.ConcurrentHashMap<>();

  Jwt(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** Signs the tokens of {@code users} now; {@link #token} hands each out once, later. */
  void signAhead(java.util.Collection<String> users) {
    for (String user : users) {
      ahead.put(user, sign(user));
    }
  }

  String token(String user) {
    String signed = ahead.remove(user);
    return signed != null ? signed : sign(user);
  }

  private String sign(String user) {
    long exp = System.currentTimeMillis() / 1000 + 3600;
    String input = HEADER + "." + b64("{\"sub\":\"" + user + "\",\"name\":\"" + user + "\",\"exp\":" + exp + "}");
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String b64(String s) {
    return B64.encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
