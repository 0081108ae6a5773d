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
    if (!"http".equals(scheme) && !"https".equals(scheme) || uri.getHost() == null) {
      return false;
    }
    String h = uri.getHost();
    if (h.equals("localhost") || h.equals("127.0.0.1") || h.equals("[::1]")) {
      return true;
    }
    String authority = uri.getPort() >= 0 ? h + ":" + uri.getPort() : h;
    return host != null && authority.equals(host.toLowerCase(Locale.ROOT));
  }
}
