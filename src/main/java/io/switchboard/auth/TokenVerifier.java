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
  /**
   * Why signatures or claims failed, once a second: a rotated key or a wrong auth.audience
   * refuses every client (1008, 401) and the log said nothing of it. No token in it.
   */
  private static final io.switchboard.ops.ThrottledLog REFUSED = new io.switchboard.ops.ThrottledLog(LOG);

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
    this(vertx, hmacSecret, publicKeyPem, issuer, audience, true);
  }

  /**
   * {@code hmac} false: HS256 tokens are refused. For a node whose tokens all come from an
   * identity provider (a public key, no {@code auth.jwtSecret}, no development login): its HS256
   * secret is then a random one kept in the cluster's map, which any member that joins can read,
   * and would sign admin tokens that this node accepts.
   */
  public TokenVerifier(Vertx vertx, String hmacSecret, String publicKeyPem, String issuer, String audience, boolean hmac) {
    this.issuer = blankToNull(issuer);
    this.audience = blankToNull(audience);
    JWTAuthOptions options = new JWTAuthOptions()
        .setJWTOptions(withIssuerAndAudience(new JWTOptions().setIgnoreExpiration(true)));
    if (hmac) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(hmacSecret));
    }
    if (publicKeyPem != null && !publicKeyPem.isBlank()) {
      String pem = readPem(publicKeyPem);
      String canonical = canonical(pem);
      for (String algorithm : algorithmsOf(pem)) {
        options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(canonical));
      }
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
        .recover(e -> {
          REFUSED.info("a token was refused: {}", io.switchboard.ops.LogText.oneLine(e.getMessage()));
          return Future.failedFuture(new TokenRejected("invalid token", false));
        })
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
    // a name past 64 code points, or with a lone surrogate, goes out in every message, presence
    // and members entry (and is stored with each message): the user id instead, as with none,
    // the limits development login and the server API keep too
    String name = claims.getValue("name") instanceof String n && !n.isBlank() && Names.isDisplayName(n) ? n : sub;
    Set<String> roles = new HashSet<>(strings(claims.getValue("roles")));
    // "rooms": null is no claim, as a null name, roles or exp are (a token helper's rooms=None);
    // any other value that is not a list of names grants no room
    List<String> rooms = claims.getValue("rooms") != null ? strings(claims.getValue("rooms")) : null;
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
    // and iat, which the library refuses in the future when it checks times at all
    if (claims.getValue("iat") instanceof Number iat && millis(iat) > now + CLOCK_SKEW_MS) {
      return Future.failedFuture(new TokenRejected("the token was issued in the future (iat)", false));
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
      algorithmsOf(readPem(value));
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

  /**
   * The PEM block as Vert.x reads it: its BEGIN line first, the base64 on lines of its own. A key
   * on one line (as an environment variable or a Helm value often holds it), or after a blank
   * line or a byte-order mark, passed the start-up check and then failed in Vert.x's parser,
   * after the node had joined the cluster.
   */
  private static String canonical(String pem) {
    String body = base64Of(pem);
    StringBuilder out = new StringBuilder("-----BEGIN PUBLIC KEY-----\n");
    for (int i = 0; i < body.length(); i += 64) {
      out.append(body, i, Math.min(body.length(), i + 64)).append('\n');
    }
    return out.append("-----END PUBLIC KEY-----\n").toString();
  }

  private static String base64Of(String pem) {
    int begin = pem.indexOf("-----BEGIN PUBLIC KEY-----");
    int end = pem.indexOf("-----END PUBLIC KEY-----", begin);
    if (end < 0) {
      throw new IllegalArgumentException("auth.publicKey: the PEM block has no '-----END PUBLIC KEY-----' line");
    }
    return pem.substring(begin + "-----BEGIN PUBLIC KEY-----".length(), end).replaceAll("\\s", "");
  }

  /**
   * What the key can verify. An RSA key: RS256, RS384 and RS512 (the key does not say which the
   * identity provider uses). An EC key: the one its curve goes with (P-256 ES256, P-384 ES384,
   * P-521 ES512); every EC key was taken for ES256 before, and a P-384 key's tokens were all refused.
   */
  private static List<String> algorithmsOf(String pem) {
    java.security.PublicKey key = keyOf(pem);
    if (key instanceof java.security.interfaces.ECPublicKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      return switch (bits) {
        case 256 -> List.of("ES256");
        case 384 -> List.of("ES384");
        case 521 -> List.of("ES512");
        default -> throw new IllegalArgumentException("auth.publicKey is an EC key on a " + bits
            + "-bit curve; JWT signs with P-256, P-384 or P-521");
      };
    }
    return List.of("RS256", "RS384", "RS512");
  }

  private static java.security.PublicKey keyOf(String pem) {
    if (pem.contains("-----BEGIN RSA PUBLIC KEY-----")) {
      throw new IllegalArgumentException("auth.publicKey is a PKCS#1 'RSA PUBLIC KEY'; give the X.509 'PUBLIC KEY'"
          + " form (openssl rsa -RSAPublicKey_in -in key.pem -pubout)");
    }
    if (!pem.contains("-----BEGIN PUBLIC KEY-----")) {
      throw new IllegalArgumentException("auth.publicKey holds no '-----BEGIN PUBLIC KEY-----' PEM block"
          + " (a JWK or a certificate will not do)");
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64Of(pem));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("auth.publicKey: the PEM block is not base64: " + e.getMessage(), e);
    }
    try {
      return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (Exception notRsa) {
      try {
        return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
      } catch (Exception notEc) {
        throw new IllegalArgumentException("auth.publicKey is neither an RSA nor an EC public key", notEc);
      }
    }
  }
}
