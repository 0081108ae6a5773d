package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import io.switchboard.protocol.Member;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Who is connected to a room, from which node: the membership part of a {@link RoomState}, with
 * its serialized form. Touched only by entry processors, on the partition's thread, as the
 * room is.
 */
final class RoomMembers {

  /** user → display name and connections per node; sorted so members lists come out sorted. */
  private final TreeMap<String, Presence> members = new TreeMap<>();
  /**
   * node → how many users have a connection of it in the room: derived from {@code members}
   * (rebuilt on deserialization), so that every publish's fan-out target and the reconciler's
   * node check cost the number of nodes, not the number of members.
   */
  private final Map<String, Integer> nodeUsers = new HashMap<>(4);

  /** Adds one connection; true when it is the user's first in this room, cluster-wide. */
  boolean join(String user, String name, String node) {
    Presence p = members.computeIfAbsent(user, u -> new Presence(name));
    boolean first = p.nodes.isEmpty();
    Integer count = p.nodes.get(node);
    setConnections(p, node, count == null ? 1 : count + 1);
    return first;
  }

  /** Removes one connection; true when it was the user's last in this room, cluster-wide. */
  boolean leave(String user, String node) {
    Presence p = members.get(user);
    Integer count = p == null ? null : p.nodes.get(node);
    if (count == null) {
      return false;
    }
    if (count > 1) {
      p.nodes.put(node, count - 1);
      return false;
    }
    dropConnections(p, node);
    if (p.nodes.isEmpty()) {
      members.remove(user);
      return true;
    }
    return false;
  }

  /** Sets a user's number of connections of {@code node} (at least 1), keeping {@code nodeUsers}. */
  private void setConnections(Presence p, String node, int count) {
    if (p.nodes.put(node, count) == null) {
      nodeUsers.merge(node, 1, Integer::sum);
    }
  }

  /** Removes a user's connections of {@code node}, keeping {@code nodeUsers}; whether it had any. */
  private boolean dropConnections(Presence p, String node) {
    if (p.nodes.remove(node) == null) {
      return false;
    }
    nodeUsers.computeIfPresent(node, (n, users) -> users == 1 ? null : users - 1);
    return true;
  }

  /** Adds the connections {@code other} (the same room on the other side of a healed split brain) lists and this one lacks. */
  void adopt(RoomMembers other) {
    other.members.forEach((user, theirs) -> {
      Presence ours = members.computeIfAbsent(user, u -> new Presence(theirs.name));
      theirs.nodes.forEach((node, count) -> {
        if (!ours.nodes.containsKey(node)) {
          setConnections(ours, node, count);
        }
      });
    });
  }

  /** Whether this side lists someone and lacks a user {@code other} lists (see {@link RoomState#mustBeToldOf}). */
  boolean lackSomeOf(RoomMembers other) {
    return !members.isEmpty() && !members.keySet().containsAll(other.members.keySet());
  }

  /** Removes every connection of a dead node; the users who are gone from the room as a result. */
  List<Member> purge(String node) {
    List<Member> gone = new ArrayList<>();
    members.entrySet().removeIf(e -> {
      if (dropConnections(e.getValue(), node) && e.getValue().nodes.isEmpty()) {
        gone.add(new Member(e.getKey(), e.getValue().name));
        return true;
      }
      return false;
    });
    return gone;
  }

  /** See {@link RoomState#reconcile}: {@code leftAlone} are the users not to touch. */
  boolean reconcile(String node, Map<String, io.switchboard.presence.LocalPresence.Joined> truth,
                    java.util.Collection<String> known, java.util.function.Predicate<String> leftAlone,
                    List<Member> joined, List<Member> left) {
    boolean changed = false;
    for (Map.Entry<String, io.switchboard.presence.LocalPresence.Joined> e : truth.entrySet()) {
      if (leftAlone.test(e.getKey())) {
        continue;
      }
      Presence p = members.get(e.getKey());
      if (p == null) {
        p = new Presence(e.getValue().name());
        members.put(e.getKey(), p);
        joined.add(new Member(e.getKey(), p.name));
      }
      Integer before = p.nodes.get(node);
      setConnections(p, node, e.getValue().count());
      changed |= before == null || before != e.getValue().count();
    }
    var it = members.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Presence> e = it.next();
      if (!truth.containsKey(e.getKey()) && known.contains(e.getKey()) && !leftAlone.test(e.getKey())
          && dropConnections(e.getValue(), node)) {
        changed = true;
        if (e.getValue().nodes.isEmpty()) {
          it.remove();
          left.add(new Member(e.getKey(), e.getValue().name));
        }
      }
    }
    return changed;
  }

  /** Adds the users with a connection of {@code node} to {@code out}. */
  void usersOn(String node, java.util.Set<String> out) {
    members.forEach((user, p) -> {
      if (p.nodes.containsKey(node)) {
        out.add(user);
      }
    });
  }

  /** Whether any connection of {@code node} is in the room. */
  boolean hasNode(String node) {
    return nodeUsers.containsKey(node);
  }

  /** The nodes that hold at least one connection joined to this room: where fan-out goes. */
  java.util.Set<String> nodeSet() {
    return nodeUsers.keySet();
  }

  String nameOf(String user) {
    Presence p = members.get(user);
    return p == null ? user : p.name;
  }

  /** See {@link RoomState#memberList(long)}. */
  List<Member> list(long budget) {
    List<Member> out = new ArrayList<>(budget <= 0 ? members.size() : Math.min(members.size(), 64));
    long used = 0;
    for (Map.Entry<String, Presence> e : members.entrySet()) {
      if (budget > 0) {
        used += Member.jsonBytes(e.getKey(), e.getValue().name);
        if (used > budget) {
          break;
        }
      }
      out.add(new Member(e.getKey(), e.getValue().name));
    }
    return out;
  }

  int count() {
    return members.size();
  }

  boolean isEmpty() {
    return members.isEmpty();
  }

  void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(members.size());
    for (Map.Entry<String, Presence> e : members.entrySet()) {
      out.writeString(e.getKey());
      out.writeString(e.getValue().name);
      out.writeInt(e.getValue().nodes.size());
      for (Map.Entry<String, Integer> n : e.getValue().nodes.entrySet()) {
        out.writeString(n.getKey());
        out.writeInt(n.getValue());
      }
    }
  }

  static RoomMembers readData(ObjectDataInput in) throws IOException {
    RoomMembers m = new RoomMembers();
    int memberCount = in.readInt();
    for (int i = 0; i < memberCount; i++) {
      String user = in.readString();
      Presence p = new Presence(in.readString());
      int nodeCount = in.readInt();
      for (int j = 0; j < nodeCount; j++) {
        m.setConnections(p, in.readString(), in.readInt());
      }
      m.members.put(user, p);
    }
    return m;
  }

  /** One user's connections to the room, per node. */
  private static final class Presence {
    final String name;
    final Map<String, Integer> nodes = new HashMap<>(2);

    Presence(String name) {
      this.name = name;
    }
  }
}
