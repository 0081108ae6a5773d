package io.switchboard.presence;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What this node knows for sure about its own connections: per user how many, per room which
 * users with how many connections. "Busy" users, rooms and members of rooms changed in the last
 * moments (an operation on the cluster may still be on its way) and are left alone by
 * reconciliation.
 */
public final class LocalPresence {

  /** A user's display name and connections in one room on this node. */
  public record Joined(String name, int count) {
  }

  public final Map<String, Integer> users = new HashMap<>();
  public final Map<String, Map<String, Joined>> rooms = new HashMap<>();
  public final Set<String> busyUsers = new HashSet<>();
  public final Set<String> busyRooms = new HashSet<>();
  /** room → its users whose membership here is changing or just changed: left alone, not the whole room. */
  public final Map<String, Set<String>> busyMembers = new HashMap<>();

  public void addUser(String user, int connections) {
    users.merge(user, connections, Integer::sum);
  }

  public void addJoined(String room, String user, String name) {
    rooms.computeIfAbsent(room, r -> new HashMap<>())
        .merge(user, new Joined(name, 1), (a, b) -> new Joined(a.name(), a.count() + b.count()));
  }

  /** Adds another gateway instance's part; busy anywhere means busy. */
  public void merge(LocalPresence other) {
    other.users.forEach(this::addUser);
    other.rooms.forEach((room, members) -> members.forEach((user, j) -> rooms.computeIfAbsent(room, r -> new HashMap<>())
        .merge(user, j, (a, b) -> new Joined(a.name(), a.count() + b.count()))));
    busyUsers.addAll(other.busyUsers);
    busyRooms.addAll(other.busyRooms);
    other.busyMembers.forEach((room, busy) -> busyMembers.computeIfAbsent(room, r -> new HashSet<>()).addAll(busy));
  }

  /**
   * Busy entries are neither set nor dropped. A member busy in one gateway instance and settled
   * in another (two connections on two event loops) is busy: the settled part alone is not the
   * user's count.
   */
  public void settle() {
    busyUsers.forEach(users::remove);
    busyRooms.forEach(rooms::remove);
    busyMembers.forEach((room, busy) -> {
      Map<String, Joined> members = rooms.get(room);
      if (members != null) {
        busy.forEach(members::remove);
      }
    });
  }

  /** Users or rooms that must not be dropped: the settled ones and the busy ones. */
  public Set<String> keptUsers() {
    Set<String> keep = new HashSet<>(users.keySet());
    keep.addAll(busyUsers);
    return keep;
  }

  public Set<String> keptRooms() {
    Set<String> keep = new HashSet<>(rooms.keySet());
    keep.addAll(busyRooms);
    return keep;
  }
}
