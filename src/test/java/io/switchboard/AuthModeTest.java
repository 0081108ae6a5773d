package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.config.ConfigLoader;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When a node accepts HS256 tokens: unless all of them come from an identity provider. */
class AuthModeTest {

  private static final String PEM = "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----";

  @Test
  void onlyAnIdentityProviderOnlyNodeRefusesHs256() {
    assertTrue(SwitchboardNode.acceptsHs256(auth(Map.of())), "the defaults: development tokens");
    assertTrue(SwitchboardNode.acceptsHs256(auth(Map.of("auth.publicKey", PEM))), "development login still on");
    assertTrue(SwitchboardNode.acceptsHs256(auth(Map.of("auth.publicKey", PEM, "auth.devLogin", false,
        "auth.jwtSecret", "a-secret-of-at-least-thirty-two-bytes!"))), "an operator's own secret");
    assertFalse(SwitchboardNode.acceptsHs256(auth(Map.of("auth.publicKey", PEM, "auth.devLogin", false))));
  }

  private static io.switchboard.config.Config.Auth auth(Map<String, Object> values) {
    return ConfigLoader.fromMap(new HashMap<>(values)).auth();
  }
}
