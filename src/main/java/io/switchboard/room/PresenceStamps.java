package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * node → user → the {@link io.switchboard.presence.PresenceClock} stamp of the node's latest join
 * or leave of that user in a room, until a round of the node that began after it has run: a
 * round whose truth was taken before the change leaves that user alone (the truth may lack the
 * join, or still list the member who left). Per user, so that one user's change does not keep
 * the rest of the room from being put right. Part of a {@link RoomState}, serialized with it.
 */
final class PresenceStamps {

  private final Map<String, Map<String, Long>> changedAt = new HashMap<>(2);

  /** Records a join or leave of {@code user} sent by {@code node} with {@code stamp}, whatever it changed. */
  void changedBy(String node, String user, long stamp) {
    changedAt.computeIfAbsent(node, n -> new HashMap<>(4)).merge(user, stamp, Math::max);
  }

  /** Whether {@code node} sent a join or leave of {@code user} after {@code since}. */
  boolean changedSince(String node, String user, long since) {
    Map<String, Long> users = changedAt.get(node);
    Long stamp = users == null ? null : users.get(user);
    return stamp != null && stamp > since;
  }

  /** Drops {@code node}'s stamps up to {@code since}: its round's truth has those changes. Whether any went. */
  boolean forget(String node, long since) {
    Map<String, Long> users = changedAt.get(node);
    if (users == null || !users.values().removeIf(stamp -> stamp <= since)) {
      return false;
    }
    if (users.isEmpty()) {
      changedAt.remove(node);
    }
    return true;
  }

  boolean isEmpty() {
    return changedAt.isEmpty();
  }

  /** Drops a departed node's stamps; whether it had any. */
  boolean forgetNode(String node) {
    return changedAt.remove(node) != null;
  }

  /** Takes the later of each node's stamps of each user from {@code other}. */
  void adopt(PresenceStamps other) {
    other.changedAt.forEach((node, users) -> users.forEach((user, stamp) -> changedBy(node, user, stamp)));
  }

  /** Adds the users {@code node} has a stamp of to {@code out}. */
  void usersOf(String node, java.util.Set<String> out) {
    out.addAll(changedAt.getOrDefault(node, Map.of()).keySet());
  }

  boolean hasNode(String node) {
    return changedAt.containsKey(node);
  }

  java.util.Set<String> nodeSet() {
    return changedAt.keySet();
  }

  void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(changedAt.size());
    for (Map.Entry<String, Map<String, Long>> node : changedAt.entrySet()) {
      out.writeString(node.getKey());
      out.writeInt(node.getValue().size());
      for (Map.Entry<String, Long> e : node.getValue().entrySet()) {
        out.writeString(e.getKey());
        out.writeLong(e.getValue());
      }
    }
  }

  static PresenceStamps readData(ObjectDataInput in) throws IOException {
    PresenceStamps s = new PresenceStamps();
    int stampNodes = in.readInt();
    for (int i = 0; i < stampNodes; i++) {
      String node = in.readString();
      int users = in.readInt();
      Map<String, Long> stamps = new HashMap<>(Math.max(4, users * 2));
      for (int j = 0; j < users; j++) {
        stamps.put(in.readString(), in.readLong());
      }
      s.changedAt.put(node, stamps);
    }
    return s;
  }
}
