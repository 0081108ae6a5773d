package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Tokens from an identity provider: RS256 and ES256 verified with {@code auth.publicKey}. */
@ExtendWith(VertxExtension.class)
class PublicKeySocketTest {

  @Test
  void rs256TokensSignedByTheProviderAreAcceptedAndOthersRefused(Vertx vertx) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    KeyPair provider = gen.generateKeyPair();
    KeyPair stranger = gen.generateKeyPair();
    try (TestCluster cluster = TestCluster.start(1, Map.of("auth.publicKey", pem(provider)))) {
      String good = token("RS256", "SHA256withRSA", provider.getPrivate(), "idp-user");
      JsonObject welcome = Await.of(WsClient.connect(vertx, cluster.port(0), good)).awaitType("welcome");
      assertEquals("idp-user", welcome.getString("user"));

      String forged = token("RS256", "SHA256withRSA", stranger.getPrivate(), "idp-user");
      assertEquals(1008, Await.of(WsClient.connect(vertx, cluster.port(0), forged)).awaitClose().code());
      // the cluster's own HS256 tokens still work beside the provider's
      Await.of(WsClient.connect(vertx, cluster.port(0), Tokens.user("local"))).awaitType("welcome");
    }
  }

  @Test
  void es256TokensSignedByTheProviderAreAcceptedAndOthersRefused(Vertx vertx) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair provider = gen.generateKeyPair();
    KeyPair stranger = gen.generateKeyPair();
    try (TestCluster cluster = TestCluster.start(1, Map.of("auth.publicKey", pem(provider)))) {
      String good = token("ES256", "SHA256withECDSAinP1363Format", provider.getPrivate(), "ec-user");
      assertEquals("ec-user", Await.of(WsClient.connect(vertx, cluster.port(0), good)).awaitType("welcome")
          .getString("user"));

      String forged = token("ES256", "SHA256withECDSAinP1363Format", stranger.getPrivate(), "ec-user");
      assertEquals(1008, Await.of(WsClient.connect(vertx, cluster.port(0), forged)).awaitClose().code());
      // the provider's signature over another user's claims
      String[] parts = good.split("\\.");
      String other = token("ES256", "SHA256withECDSAinP1363Format", provider.getPrivate(), "ec-admin").split("\\.")[1];
      String swapped = parts[0] + "." + other + "." + parts[2];
      assertEquals(1008, Await.of(WsClient.connect(vertx, cluster.port(0), swapped)).awaitClose().code());
    }
  }

  private static String pem(KeyPair pair) {
    return "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
  }

  static String token(String alg, String javaAlg, PrivateKey key, String sub) throws Exception {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String input = b64.encodeToString(new JsonObject().put("alg", alg).put("typ", "JWT").encode()
        .getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(new JsonObject().put("sub", sub)
        .put("exp", Tokens.nowSeconds() + 600).encode().getBytes(StandardCharsets.UTF_8));
    Signature signature = Signature.getInstance(javaAlg);
    signature.initSign(key);
    signature.update(input.getBytes(StandardCharsets.UTF_8));
    return input + "." + b64.encodeToString(signature.sign());
  }
}
