package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md section 6: by default the node's own origin (the Host of the upgrade request),
 * http(s)://localhost and http(s)://127.0.0.1 on any port; no Origin (a program) is allowed; a
 * configured list replaces the default; {@code *} allows every origin.
 */
class OriginPolicyTest {

  private static final String HOST = "chat.example.com:8080";

  private final OriginPolicy defaults = new OriginPolicy(List.of());

  @Test
  void requestWithoutOriginIsAllowed() {
    assertTrue(defaults.allows(null, HOST));
    assertTrue(defaults.allows(null, null));
    assertTrue(new OriginPolicy(List.of("https://only.example")).allows(null, HOST));
  }

  @Test
  void ownOriginIsAllowed() {
    assertTrue(defaults.allows("http://chat.example.com:8080", HOST));
    assertTrue(defaults.allows("https://chat.example.com:8080", HOST));
  }

  /** java.net.URI finds no host in a name with an underscore (Docker's service names have them). */
  @Test
  void ownOriginWithAnUnderscoreInItsNameIsAllowed() {
    assertTrue(defaults.allows("http://chat_node:8080", "chat_node:8080"));
    assertTrue(defaults.allows("http://local_host:8080", "local_host:8080"));
    assertFalse(defaults.allows("http://chat_node:8080", "other_node:8080"));
    assertFalse(defaults.allows("http://user@chat_node:8080", "chat_node:8080"));
  }

  @Test
  void ownOriginWithoutPortMatchesAHostWithoutPort() {
    assertTrue(defaults.allows("https://chat.example.com", "chat.example.com"));
  }

  @Test
  void ownHostOnAnotherPortIsRefused() {
    assertFalse(defaults.allows("http://chat.example.com:9090", HOST));
    assertFalse(defaults.allows("http://chat.example.com", HOST));
  }

  @Test
  void ownOriginIsMatchedCaseInsensitively() {
    assertTrue(defaults.allows("http://Chat.Example.COM:8080", "CHAT.example.com:8080"));
  }

  @Test
  void localhostOnAnyPortIsAllowed() {
    assertTrue(defaults.allows("http://localhost", HOST));
    assertTrue(defaults.allows("http://localhost:3000", HOST));
    assertTrue(defaults.allows("https://localhost:8443", HOST));
  }

  @Test
  void loopbackAddressOnAnyPortIsAllowed() {
    assertTrue(defaults.allows("http://127.0.0.1", HOST));
    assertTrue(defaults.allows("http://127.0.0.1:5173", HOST));
    assertTrue(defaults.allows("https://127.0.0.1:8443", HOST));
  }

  @Test
  void localhostIsAllowedEvenWithoutAHostHeader() {
    assertTrue(defaults.allows("http://localhost:8080", null));
  }

  @Test
  void otherHostsAreRefused() {
    assertFalse(defaults.allows("https://evil.example", HOST));
    assertFalse(defaults.allows("http://evil.example:8080", HOST));
    assertFalse(defaults.allows("https://evil.example", null));
  }

  @Test
  void hostsThatOnlyLookLikeLocalhostAreRefused() {
    assertFalse(defaults.allows("http://localhost.evil.example", HOST));
    assertFalse(defaults.allows("http://127.0.0.1.evil.example", HOST));
    assertFalse(defaults.allows("http://evil-localhost", HOST));
  }

  @Test
  void hostsThatOnlyLookLikeTheOwnHostAreRefused() {
    assertFalse(defaults.allows("http://chat.example.com.evil.example:8080", HOST));
    assertFalse(defaults.allows("http://evilchat.example.com:8080", HOST));
  }

  @Test
  void nonHttpSchemesAreRefused() {
    assertFalse(defaults.allows("file://localhost", HOST));
    assertFalse(defaults.allows("ftp://chat.example.com:8080", HOST));
    assertFalse(defaults.allows("chrome-extension://abcdef", HOST));
  }

  @Test
  void opaqueOrMalformedOriginsAreRefused() {
    assertFalse(defaults.allows("null", HOST));
    assertFalse(defaults.allows("", HOST));
    assertFalse(defaults.allows("http://", HOST));
    assertFalse(defaults.allows("http://exa mple.com", HOST));
    assertFalse(defaults.allows("localhost:3000", HOST));
  }

  @Test
  void configuredListReplacesTheDefault() {
    OriginPolicy p = new OriginPolicy(List.of("https://chat.example.org"));
    assertTrue(p.allows("https://chat.example.org", HOST));
    assertFalse(p.allows("http://localhost:3000", HOST), "localhost is no longer allowed");
    assertFalse(p.allows("http://127.0.0.1:3000", HOST));
    assertFalse(p.allows("http://chat.example.com:8080", HOST), "nor the node's own origin");
  }

  @Test
  void configuredOriginMustMatchSchemeHostAndPort() {
    OriginPolicy p = new OriginPolicy(List.of("https://chat.example.org"));
    assertFalse(p.allows("http://chat.example.org", HOST));
    assertFalse(p.allows("https://chat.example.org:8443", HOST));
    assertFalse(p.allows("https://other.example.org", HOST));
  }

  @Test
  void configuredOriginsAreMatchedCaseInsensitively() {
    assertTrue(new OriginPolicy(List.of("https://Chat.Example.org")).allows("https://chat.EXAMPLE.org", HOST));
  }

  @Test
  void starAllowsEveryOrigin() {
    OriginPolicy p = new OriginPolicy(List.of("*"));
    assertTrue(p.allows("https://anything.example", HOST));
    assertTrue(p.allows("null", HOST));
    assertTrue(p.allows("http://localhost:1", HOST));
  }
}
