package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A key the node cannot use stops it at start, with a message naming auth.publicKey and what to give instead. */
class PublicKeyCheckTest {

  @Test
  void aUsableKeyPassesAsTextOrFile(@TempDir Path dir) throws Exception {
    String pem = "-----BEGIN PUBLIC KEY-----\n"
        + Base64.getMimeEncoder().encodeToString(KeyPairGenerator.getInstance("EC").generateKeyPair().getPublic().getEncoded())
        + "\n-----END PUBLIC KEY-----\n";
    TokenVerifier.checkPublicKey(pem);
    Path file = Files.writeString(dir.resolve("idp.pem"), pem);
    TokenVerifier.checkPublicKey(file.toString());
    TokenVerifier.checkPublicKey("");
  }

  @Test
  void unusableKeysAreNamedWithWhatToGiveInstead(@TempDir Path dir) throws Exception {
    Path jwk = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[{\"kty\":\"RSA\",\"n\":\"…\",\"e\":\"AQAB\"}]}");
    assertMessage(jwk.toString(), "no '-----BEGIN PUBLIC KEY-----'");
    assertMessage("-----BEGIN RSA PUBLIC KEY-----\nMIIBCgKCAQEA\n-----END RSA PUBLIC KEY-----", "openssl rsa -RSAPublicKey_in");
    assertMessage("-----BEGIN PUBLIC KEY-----\nnot*base64\n-----END PUBLIC KEY-----", "not base64");
    assertMessage("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "neither an RSA nor an EC public key");
    assertMessage(dir.resolve("missing.pem").toString(), "cannot read");
  }

  private static void assertMessage(String value, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TokenVerifier.checkPublicKey(value));
    assertTrue(e.getMessage().startsWith("auth.publicKey") && e.getMessage().contains(part), e.getMessage());
  }
}
