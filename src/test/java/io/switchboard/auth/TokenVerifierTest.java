package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.Tokens;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code auth.issuer} and {@code auth.audience}: with them, a token must carry that {@code iss}
 * and list that {@code aud}, as an identity provider's tokens for this service do and its tokens
 * for other applications do not. Development tokens are issued to pass the same checks.
 */
class TokenVerifierTest {

  static Vertx vertx;
  static TokenVerifier checked;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    checked = new TokenVerifier(vertx, Tokens.SECRET, null, "https://idp.example", "switchboard");
  }

  @AfterAll
  static void stop() {
    Await.of(vertx.close());
  }

  private static JsonObject claims(String sub) {
    return new JsonObject().put("sub", sub).put("exp", Tokens.nowSeconds() + 600);
  }

  private static Throwable refused(Future<Identity> verified) {
    Throwable[] cause = new Throwable[1];
    Await.of(verified.transform(ar -> {
      cause[0] = ar.failed() ? ar.cause() : null;
      return Future.succeededFuture();
    }));
    return cause[0];
  }

  @Test
  void aTokenForThisServiceFromThisIssuerIsAccepted() {
    String token = Tokens.of(claims("alice").put("iss", "https://idp.example").put("aud", "switchboard"));
    assertEquals("alice", Await.of(checked.verify(token)).user());
    String several = Tokens.of(claims("bob").put("iss", "https://idp.example")
        .put("aud", new JsonArray().add("other-app").add("switchboard")));
    assertEquals("bob", Await.of(checked.verify(several)).user());
  }

  @Test
  void aTokenForAnotherApplicationOrFromAnotherIssuerIsRefused() {
    for (JsonObject c : List.of(
        claims("eve").put("iss", "https://idp.example").put("aud", "other-app").put("roles", new JsonArray().add("admin")),
        claims("eve").put("iss", "https://idp.example"),
        claims("eve").put("iss", "https://elsewhere.example").put("aud", "switchboard"),
        claims("eve").put("aud", "switchboard"))) {
      Throwable cause = refused(checked.verify(Tokens.of(c)));
      assertTrue(cause instanceof TokenRejected r && !r.expired(), c.encode() + " → " + cause);
    }
  }

  /** A rooms claim of null is no claim (every room but system rooms); one that is no list grants none. */
  @Test
  void aNullRoomsClaimIsNoClaim() {
    Grants grants = new Grants(false);
    Identity open = Await.of(TokenVerifier.identityOf(claims("ann").putNull("rooms")));
    assertTrue(grants.mayJoin(open, "lobby"), "rooms: null grants every room: " + open);
    for (Object notAList : new Object[] {new JsonArray(), "lobby", 7}) {
      Identity none = Await.of(TokenVerifier.identityOf(claims("ann").put("rooms", notAList)));
      assertTrue(!grants.mayJoin(none, "lobby"), "rooms: " + notAList + " grants no room: " + none);
    }
  }

  /** Time claims far in the future: seconds times 1000 wrapped round a long, and turned them about. */
  @Test
  void farTimeClaimsAreFarNotWrappedRound() {
    long far = Long.MAX_VALUE / 100; // seconds: times 1000 passes a long's end
    Identity forever = Await.of(TokenVerifier.identityOf(new JsonObject().put("sub", "ann").put("exp", far)));
    assertTrue(!forever.expired(System.currentTimeMillis()), "valid for ages, not expired: " + forever.expiresAt());
    Throwable notYet = refused(TokenVerifier.identityOf(new JsonObject().put("sub", "ann").put("nbf", far)));
    assertTrue(notYet instanceof TokenRejected r && !r.expired(), "not valid for ages: " + notYet);
  }

  /**
   * A token issued in the future is refused, as Vert.x refuses it when it checks times (here it
   * does not: expiry is checked by the node, with a message of its own), and a name claim past
   * 64 code points, with a lone surrogate or with a control or bidirectional character gives way to
   * the user id, as a missing one does.
   */
  @Test
  void aFutureIatIsRefusedAndAnUnfitNameGivesWayToTheUserId() {
    TokenVerifier plain = new TokenVerifier(vertx, Tokens.SECRET, null);
    long inAYear = Tokens.nowSeconds() + 365L * 24 * 3600;
    Throwable future = refused(plain.verify(Tokens.of(claims("ann").put("iat", inAYear))));
    assertTrue(future instanceof TokenRejected r && !r.expired(), "issued in a year: " + future);
    assertEquals("ann", Await.of(plain.verify(Tokens.of(claims("ann").put("iat", Tokens.nowSeconds() + 30)))).user(),
        "within the clock skew");
    assertEquals("ann", Await.of(plain.verify(Tokens.of(claims("ann").put("name", "A".repeat(65))))).name());
    // (checked from the claims: a token's JSON carries a lone surrogate only as an escape)
    assertEquals("ann", Await.of(TokenVerifier.identityOf(new JsonObject().put("sub", "ann").put("name", "Ann\ud800")))
        .name());
    assertEquals("ann", Await.of(plain.verify(Tokens.of(claims("ann").put("name", "\u202eecilA")))).name(),
        "a name that turns the text around it");
    assertEquals("Ann Émile 🙂", Await.of(plain.verify(Tokens.of(claims("ann").put("name", "Ann Émile 🙂")))).name());
  }

  @Test
  void developmentTokensPassTheSameChecks() {
    String token = checked.issue("dev", "Dev", List.of(), Tokens.nowSeconds() + 600);
    assertEquals("dev", Await.of(checked.verify(token)).user());
  }

  @Test
  void withoutIssuerAndAudienceNeitherIsLookedAt() {
    TokenVerifier plain = new TokenVerifier(vertx, Tokens.SECRET, null);
    String token = Tokens.of(claims("carol").put("iss", "anyone").put("aud", "anything"));
    assertEquals("carol", Await.of(plain.verify(token)).user());
  }

  /**
   * The key as operators hand it over: on one line (an environment variable, a Helm value), or
   * after a blank line. It passed the start-up check and then failed in Vert.x's PEM parser,
   * after the node had joined the cluster. And the algorithms the key can verify: every RSA
   * one, and the one an EC key's curve goes with (a P-384 key's ES384 tokens were all refused).
   */
  /**
   * A node whose tokens all come from an identity provider refuses HS256: its secret is then a
   * random one in the cluster's map, and any member that joins could sign admin tokens with it.
   */
  @Test
  void withoutHmacOnlyTheIdentityProvidersTokensPass() throws Exception {
    java.security.KeyPair rsa = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(rsa.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    TokenVerifier providerOnly = new TokenVerifier(vertx, Tokens.SECRET, pem, "", "", false);
    assertTrue(refused(providerOnly.verify(Tokens.user("minted"))) != null, "an HS256 token is refused");
    assertEquals("rs256", Await.of(providerOnly.verify(PublicKeySocketTest.token("RS256", "SHA256withRSA", rsa.getPrivate(),
        "rs256"))).user());
    TokenVerifier both = new TokenVerifier(vertx, Tokens.SECRET, pem, "", "", true);
    assertEquals("minted", Await.of(both.verify(Tokens.user("minted"))).user());
  }

  @Test
  void publicKeysOnOneLineAndTheirAlgorithmsAreUnderstood() throws Exception {
    java.security.KeyPair rsa = java.security.KeyPairGenerator.getInstance("RSA").generateKeyPair();
    String oneLine = "\n-----BEGIN PUBLIC KEY----- " + java.util.Base64.getEncoder().encodeToString(rsa.getPublic().getEncoded())
        + " -----END PUBLIC KEY-----";
    TokenVerifier.checkPublicKey(oneLine);
    TokenVerifier byRsa = new TokenVerifier(vertx, Tokens.SECRET, oneLine);
    assertEquals("rs256", Await.of(byRsa.verify(PublicKeySocketTest.token("RS256", "SHA256withRSA", rsa.getPrivate(), "rs256"))).user());
    assertEquals("rs384", Await.of(byRsa.verify(PublicKeySocketTest.token("RS384", "SHA384withRSA", rsa.getPrivate(), "rs384"))).user());

    java.security.KeyPairGenerator ec = java.security.KeyPairGenerator.getInstance("EC");
    ec.initialize(new java.security.spec.ECGenParameterSpec("secp384r1"));
    java.security.KeyPair p384 = ec.generateKeyPair();
    String pem = "-----BEGIN PUBLIC KEY-----\n" + java.util.Base64.getMimeEncoder().encodeToString(p384.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    TokenVerifier byEc = new TokenVerifier(vertx, Tokens.SECRET, pem);
    assertEquals("es384", Await.of(byEc.verify(PublicKeySocketTest.token("ES384", "SHA384withECDSAinP1363Format",
        p384.getPrivate(), "es384"))).user());
    assertTrue(refused(byEc.verify(PublicKeySocketTest.token("ES256", "SHA256withECDSAinP1363Format",
        p384.getPrivate(), "es256"))) != null, "not the algorithm of its curve");
  }
}
