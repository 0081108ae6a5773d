package io.switchboard.gateway;

import io.switchboard.protocol.Names;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * user → the conversations of that user held in one of {@link ConversationStreams}' maps: a user's last
 * close looks at its own, not at every conversation of the instance (a mass close, thousands of
 * sessions times thousands of conversations, held the loop for seconds). Event-loop confined.
 */
final class ConversationsByUser {

  private final Map<String, Set<String>> byUser = new HashMap<>();

  /** Indexes {@code room} ({@code dm:a:b}) under both its users. */
  void add(String room) {
    for (String user : Names.conversationUsers(room)) {
      byUser.computeIfAbsent(user, u -> new HashSet<>()).add(room);
    }
  }

  void remove(String room) {
    for (String user : Names.conversationUsers(room)) {
      Set<String> own = byUser.get(user);
      if (own != null && own.remove(room) && own.isEmpty()) {
        byUser.remove(user);
      }
    }
  }

  /** A copy: the caller may remove while it goes through them. */
  List<String> of(String user) {
    Set<String> own = byUser.get(user);
    return own == null ? List.of() : List.copyOf(own);
  }

  void clear() {
    byUser.clear();
  }
}
