package io.switchboard.auth;

import java.util.List;
import java.util.Set;

/**
 * Who a connection or an API caller is, taken from a verified token. {@code rooms} is null when
 * the token has no {@code rooms} claim (every non-system room is granted); {@code expiresAt} is
 * the {@code exp} claim in milliseconds, or 0 when the token does not expire.
 */
public record Identity(String user, String name, Set<String> roles, List<String> rooms, long expiresAt) {

  public static final String ADMIN = "admin";
  public static final String PUBLISHER = "publisher";

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  public boolean expired(long nowMillis) {
    return expiresAt > 0 && expiresAt <= nowMillis;
  }
}
