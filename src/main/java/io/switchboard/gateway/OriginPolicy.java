package io.switchboard.gateway;

import java.net.URI;
import java.util.List;
import java.util.Locale;

/**
 * Which browser origins may open {@code /ws} (PROTOCOL.md section 6). A request without an
 * Origin header is a program, not a browser, and is allowed. Configured origins replace the
 * default (own origin, localhost, 127.0.0.1); {@code *} allows every origin.
 */
final class OriginPolicy {

  private final List<String> configured;

  OriginPolicy(List<String> configured) {
    this.configured = configured.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
  }

  boolean allows(String origin, String host) {
    if (origin == null) {
      return true;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    if (!configured.isEmpty()) {
      return configured.contains("*") || configured.contains(o);
    }
    URI uri;
    try {
      uri = new URI(o);
    } catch (Exception e) {
      return false;
    }
    String scheme = uri.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      return false;
    }
    String h = uri.getHost();
    String authority;
    if (h != null) {
      authority = uri.getPort() >= 0 ? h + ":" + uri.getPort() : h;
    } else {
      // a name java.net.URI takes for no host at all: an underscore, as in Docker's service
      // names (http://chat_node:8080); the node's own origin all the same
      authority = uri.getRawAuthority();
      if (authority == null || authority.contains("@")) {
        return false;
      }
      int colon = authority.lastIndexOf(':');
      h = colon < 0 ? authority : authority.substring(0, colon);
    }
    if (h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]")) {
      return true;
    }
    return host != null && authority.equals(host.toLowerCase(Locale.ROOT));
  }
}
