package io.switchboard.auth;

import io.switchboard.protocol.Names;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks tokens (HS256 with the cluster's shared secret, and RS256/ES256 with the identity
 * provider's public key when one is configured) and issues development tokens. Expiry is
 * checked here rather than by the library so that an expired but genuine token is told apart
 * from a forged one ("token expired" versus "unauthorized").
 */
public final class TokenVerifier {

  public static final int DEV_TOKEN_SECONDS = 12 * 3600;
  /** How far the issuer's clock may run ahead of ours for {@code nbf}. */
  static final long CLOCK_SKEW_MS = 60_000;

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TokenVerifier.class);

  private final JWTAuth jwt;
  private final String issuer;
  private final String audience;

  public TokenVerifier(Vertx vertx, String hmacSecret, String publicKeyPem) {
    this(vertx, hmacSecret, publicKeyPem, "", "");
  }

  /**
   * {@code issuer} and {@code audience} ("" for none): when set, a token must carry that
   * {@code iss} and list that {@code aud}. An identity provider signs tokens for many
   * applications with one key; without them, any of its tokens (and its {@code roles}) would do.
   */
  public TokenVerifier(Vertx vertx, String hmacSecret, String publicKeyPem, String issuer, String audience) {
    this.issuer = blankToNull(issuer);
    this.audience = blankToNull(audience);
    JWTAuthOptions options = new JWTAuthOptions()
        .setJWTOptions(withIssuerAndAudience(new JWTOptions().setIgnoreExpiration(true)))
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(hmacSecret));
    if (publicKeyPem != null && !publicKeyPem.isBlank()) {
      String pem = readPem(publicKeyPem);
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithmOf(pem)).setBuffer(pem));
      if (this.audience == null) {
        LOG.warn("auth.publicKey is set without auth.audience: every token the key signed is accepted, "
            + "also those the identity provider issued for other applications");
      }
    }
    this.jwt = JWTAuth.create(vertx, options);
  }

  /** {@code options} with this service's {@code iss} and {@code aud}, where set: checked and issued alike. */
  private JWTOptions withIssuerAndAudience(JWTOptions options) {
    if (issuer != null) {
      options.setIssuer(issuer);
    }
    if (audience != null) {
      options.addAudience(audience);
    }
    return options;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** A verified identity, or a failed future holding a {@link TokenRejected}. */
  public Future<Identity> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new TokenRejected("no token", false));
    }
    Future<User> user;
    try {
      user = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // the library reads the time claims before it looks at ignoreExpiration: a signed
      // "exp":"2030-01-01" threw a ClassCastException here, out of the caller
      return Future.failedFuture(new TokenRejected("invalid token", false));
    }
    return user
        .recover(e -> Future.failedFuture(new TokenRejected("invalid token", false)))
        .compose(u -> identityOf(claims(u)));
  }

  /** A development token for {@code user} that expires at {@code expSeconds} (epoch seconds). */
  public String issue(String user, String name, List<String> roles, long expSeconds) {
    JsonObject claims = new JsonObject().put("sub", user).put("name", name).put("exp", expSeconds);
    if (roles != null && !roles.isEmpty()) {
      claims.put("roles", new JsonArray(roles));
    }
    // development tokens pass the same checks as the identity provider's
    return jwt.generateToken(claims, withIssuerAndAudience(new JWTOptions().setAlgorithm("HS256")));
  }

  private static JsonObject claims(User user) {
    Object token = user.attributes().getValue("accessToken");
    return token instanceof JsonObject claims ? claims : user.principal();
  }

  static Future<Identity> identityOf(JsonObject claims) {
    if (!(claims.getValue("sub") instanceof String sub) || !Names.isUser(sub)) {
      return Future.failedFuture(new TokenRejected("the token's sub is not a valid user id", false));
    }
    String name = claims.getValue("name") instanceof String n && !n.isBlank() ? n : sub;
    Set<String> roles = new HashSet<>(strings(claims.getValue("roles")));
    List<String> rooms = claims.containsKey("rooms") ? strings(claims.getValue("rooms")) : null;
    for (String time : List.of("exp", "nbf", "iat")) {
      if (claims.getValue(time) != null && !(claims.getValue(time) instanceof Number)) {
        return Future.failedFuture(new TokenRejected("the token's " + time + " is not a number", false));
      }
    }
    // with ignoreExpiration the library checks none of the time claims: nbf is checked here too
    long now = System.currentTimeMillis();
    if (claims.getValue("nbf") instanceof Number nbf && millis(nbf) > now + CLOCK_SKEW_MS) {
      return Future.failedFuture(new TokenRejected("the token is not valid yet (nbf)", false));
    }
    long exp = 0;
    if (claims.getValue("exp") instanceof Number n) {
      exp = millis(n);
      if (exp <= now) {
        return Future.failedFuture(new TokenRejected("token expired", true));
      }
    }
    return Future.succeededFuture(new Identity(sub, name, Set.copyOf(roles), rooms, exp));
  }

  /** A time claim's seconds as ms, held at the ends of a long: times 1000, a far one wrapped round. */
  private static long millis(Number seconds) {
    long s = seconds.longValue();
    return s > Long.MAX_VALUE / 1000 ? Long.MAX_VALUE : s < Long.MIN_VALUE / 1000 ? Long.MIN_VALUE : s * 1000;
  }

  private static List<String> strings(Object value) {
    if (!(value instanceof JsonArray array)) {
      return List.of();
    }
    return array.stream().filter(String.class::isInstance).map(String.class::cast).toList();
  }

  /**
   * Reads and parses {@code auth.publicKey} ("" for none) as the node will, so that a bad key
   * stops the node before it joins the cluster, with a message that names the setting.
   */
  public static void checkPublicKey(String value) {
    if (value != null && !value.isBlank()) {
      algorithmOf(readPem(value));
    }
  }

  /** {@code auth.publicKey} is either the PEM text itself or the path of a PEM file. */
  private static String readPem(String value) {
    if (value.contains("-----BEGIN")) {
      return value;
    }
    try {
      return Files.readString(Path.of(value));
    } catch (IOException e) {
      throw new IllegalArgumentException("auth.publicKey: cannot read " + value + ": " + e.getMessage(), e);
    }
  }

  private static String algorithmOf(String pem) {
    if (pem.contains("-----BEGIN RSA PUBLIC KEY-----")) {
      throw new IllegalArgumentException("auth.publicKey is a PKCS#1 'RSA PUBLIC KEY'; give the X.509 'PUBLIC KEY'"
          + " form (openssl rsa -RSAPublicKey_in -in key.pem -pubout)");
    }
    if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
      throw new IllegalArgumentException("auth.publicKey holds no '-----BEGIN PUBLIC KEY-----' PEM block"
          + " (a JWK or a certificate will not do)");
    }
    String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("auth.publicKey: the PEM block is not base64: " + e.getMessage(), e);
    }
    try {
      KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
      return "RS256";
    } catch (Exception notRsa) {
      try {
        KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        return "ES256";
      } catch (Exception notEc) {
        throw new IllegalArgumentException("auth.publicKey is neither an RSA nor an EC public key", notEc);
      }
    }
  }
}
