package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.switchboard.protocol.Member;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One room as the cluster stores it (one Hazelcast entry, so that a seq, the log and the
 * membership change together, atomically, in one partition with its backup): the epoch, the
 * retained log, and who is connected to the room from which node. Only entry processors touch
 * it, on the partition's thread; every mutation is deterministic so that backups replay it.
 */
public final class RoomState implements DataSerializable, io.switchboard.presence.HasNode {

  private static final String TS_FIELD = "\"ts\":\"";

  private String epoch;
  private MessageRing log;
  /** user → display name and connections per node; sorted so members lists come out sorted. */
  private TreeMap<String, Presence> members = new TreeMap<>();
  /**
   * node → how many users have a connection of it in the room: derived from {@code members}
   * (rebuilt on deserialization), so that every publish's fan-out target and the reconciler's
   * node check cost the number of nodes, not the number of members.
   */
  private Map<String, Integer> nodeUsers = new HashMap<>(4);
  /**
   * node → user → the {@link io.switchboard.presence.PresenceClock} stamp of the node's latest
   * join or leave of that user here, until a round of the node that began after it has run: a
   * round whose truth was taken before the change leaves that user alone (the truth may lack the
   * join, or still list the member who left). Per user, so that one user's change does not keep
   * the rest of the room from being put right.
   */
  private Map<String, Map<String, Long>> changedAt = new HashMap<>(2);
  /** See {@link #emptiedAt()}. */
  private long emptiedAt;

  public RoomState() {
    // for Hazelcast
  }

  RoomState(String epoch, int capacity) {
    this.epoch = epoch;
    this.log = new MessageRing(capacity, 0);
  }

  String epoch() {
    return epoch;
  }

  MessageRing log() {
    return log;
  }

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
      noteIfEmptied();
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

  /**
   * Not serialized: Hazelcast re-runs a change on the copy that was the backup, kept in memory as
   * the backup applied it (OBJECT format). Made on the first stamped change.
   */
  private transient AppliedChanges applied;

  /** The change {@code node} sent with {@code stamp} if it was applied here already, else null. */
  AppliedChanges.Change appliedChange(String node, long stamp) {
    return applied == null || stamp == 0 ? null : applied.find(node, stamp);
  }

  /** Forgets the changes applied longer ago than a re-run can come (see {@link AppliedChanges#trim}). */
  void trimApplied(long now) {
    if (applied != null && applied.trim(now)) {
      applied = null;
    }
  }

  /** How many applied changes this copy remembers (for tests). */
  int appliedCount() {
    return applied == null ? 0 : applied.size();
  }

  /** Notes that the change {@code node} sent with {@code stamp} was applied (see {@link AppliedChanges}). */
  void applied(String node, long stamp, boolean edge, String name) {
    if (stamp == 0) {
      return; // not stamped: nothing names it again
    }
    if (applied == null) {
      applied = new AppliedChanges();
    }
    applied.add(node, stamp, edge, name, io.switchboard.ops.Clocks.monotonicMillis());
  }

  /**
   * The answers of the last few cluster-wide operations that changed this room (a dead node's
   * purge, a reconciliation), by the operation's id: when the owner dies after such a change and
   * before answering, Hazelcast runs it again on the copy that was the backup, which applied it
   * already and found nothing more to change; the joins and leaves it made were never told. The
   * re-run answers what the first run did. Serialized with the room (unlike {@link #applied}):
   * a node's own retry of a failed purge comes a second or more later, by when the partition may
   * have moved to a member that got the room as a copy.
   */
  private java.util.LinkedHashMap<Long, RoomReply> answered;
  private static final int MAX_ANSWERED = 4;

  /** The answer the operation {@code op} gave here, if it changed this room lately; else null. */
  RoomReply answeredBy(long op) {
    return answered == null || op == 0 ? null : answered.get(op);
  }

  /** Notes the answer of the operation {@code op}, which changed this room. */
  void answered(long op, RoomReply reply) {
    if (op == 0) {
      return;
    }
    if (answered == null) {
      answered = new java.util.LinkedHashMap<>();
    }
    answered.put(op, reply);
    if (answered.size() > MAX_ANSWERED) {
      answered.remove(answered.keySet().iterator().next());
    }
  }

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
  boolean forgetStamps(String node, long since) {
    Map<String, Long> users = changedAt.get(node);
    if (users == null || !users.values().removeIf(stamp -> stamp <= since)) {
      return false;
    }
    if (users.isEmpty()) {
      changedAt.remove(node);
    }
    return true;
  }

  /** Whether any node's join or leave stamp is still here. */
  boolean hasStamps() {
    return !changedAt.isEmpty();
  }

  /** Drops a departed node's stamps; whether it had any. */
  boolean forgetNode(String node) {
    return changedAt.remove(node) != null;
  }

  /**
   * Adds the connections {@code other} (the same room on the other side of a healed split brain)
   * lists and this one lacks, and the later of each node's join and leave stamps of each user.
   */
  void adoptMembers(RoomState other) {
    other.members.forEach((user, theirs) -> {
      Presence ours = members.computeIfAbsent(user, u -> new Presence(theirs.name));
      theirs.nodes.forEach((node, count) -> {
        if (!ours.nodes.containsKey(node)) {
          setConnections(ours, node, count);
        }
      });
    });
    other.changedAt.forEach((node, users) -> users.forEach((user, stamp) -> changedBy(node, user, stamp)));
    emptiedAt = Math.max(emptiedAt, other.emptiedAt);
  }

  /**
   * Whether this side of a healed split brain has clients to tell of {@code other}'s members:
   * it lists someone (a member is a connection joined here) and lacks a user {@code other} lists.
   */
  boolean mustBeToldOf(RoomState other) {
    return !members.isEmpty() && !members.keySet().containsAll(other.members.keySet());
  }

  /** The log under a new epoch: what it held can no longer be trusted by seq alone (see {@link RoomMerge}). */
  void restart(String newEpoch, MessageRing newLog) {
    this.epoch = newEpoch;
    this.log = newLog;
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
    if (!gone.isEmpty()) {
      noteIfEmptied();
    }
    return gone;
  }

  /**
   * Makes this node's connections of the room agree with {@code truth} (user → name and count):
   * users of the truth get its count; users of {@code known} (this node's users here as read
   * before the truth was taken) that the truth lacks lose this node's connections. Users who
   * gained their first connection are added to {@code joined}, users who lost their last to
   * {@code left}. Users the node joined or left after {@code since} (when the truth was taken),
   * and {@code busy} ones (whose change may still be on its way), are left alone. Returns whether
   * anything changed.
   */
  boolean reconcile(String node, Map<String, io.switchboard.presence.LocalPresence.Joined> truth,
                    java.util.Collection<String> known, long since, java.util.Set<String> busy,
                    List<Member> joined, List<Member> left) {
    java.util.function.Predicate<String> leftAlone = user -> busy.contains(user) || changedSince(node, user, since);
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
          noteIfEmptied();
        }
      }
    }
    return changed;
  }

  /**
   * The users with a connection of {@code node} in the room, and those with a stamp of it (so
   * that its next round visits the room and drops the stamps it has served); null when none.
   */
  ArrayList<String> usersOn(String node) {
    java.util.Set<String> users = new java.util.TreeSet<>(changedAt.getOrDefault(node, Map.of()).keySet());
    members.forEach((user, p) -> {
      if (p.nodes.containsKey(node)) {
        users.add(user);
      }
    });
    return users.isEmpty() ? null : new ArrayList<>(users);
  }

  /** Whether any connection or stamp of {@code node} is in the room: its rounds look at it. */
  @Override
  public boolean hasNode(String node) {
    return nodeUsers.containsKey(node) || changedAt.containsKey(node);
  }

  @Override
  public void addNodes(java.util.Set<String> out) {
    out.addAll(nodeUsers.keySet());
    out.addAll(changedAt.keySet());
  }

  String nameOf(String user) {
    Presence p = members.get(user);
    return p == null ? user : p.name;
  }

  List<Member> memberList() {
    return memberList(0);
  }

  /**
   * The first members, sorted by user id, whose JSON entries fit in {@code budget} bytes
   * ({@link Member#jsonBytes}); all of them when the budget is 0. A join into a room of 100 000
   * then costs its partition and the wire what the joiner can be sent, not the whole room.
   */
  List<Member> memberList(long budget) {
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

  int memberCount() {
    return members.size();
  }

  /**
   * When the room last lost its last member (this member's wall clock, ms; 0: not since it was
   * made). A room goes as idle only once nobody has been in it for the idle grace (IdleRooms):
   * its members may be on their way back from a node that died, whose purge took them out at
   * once. Seen from the sweeper's scans alone, a room idle at one scan, joined, and emptied by a
   * purge before the next looked idle all along; so every node's departure started every room's
   * sightings over, and nodes leaving every two minutes kept every room from ever expiring.
   */
  long emptiedAt() {
    return emptiedAt;
  }

  private void noteIfEmptied() {
    if (members.isEmpty()) {
      emptiedAt = System.currentTimeMillis();
    }
  }

  /**
   * When the newest retained message was stored (its {@code ts}, the frame's last field), in
   * ms; -1 when no message is retained or its time cannot be read. Read from the stored frame,
   * not kept beside it, so that the entry's format stays as it is.
   */
  long newestTime() {
    return timeOf(log.newestTail(64));
  }

  /**
   * The {@code ts} of a stored frame (its last field; {@code frame} may be just its end), as
   * written; {@code otherwise} when it has none.
   */
  static String tsOf(String frame, String otherwise) {
    int at = frame.lastIndexOf(TS_FIELD);
    int end = at < 0 ? -1 : frame.indexOf('"', at + TS_FIELD.length());
    return end < 0 ? otherwise : frame.substring(at + TS_FIELD.length(), end);
  }

  /** A stored frame's {@code ts} (see {@link #tsOf}), in ms; -1 when unreadable. */
  public static long timeOf(String frame) {
    String ts = tsOf(frame, null);
    if (ts == null) {
      return -1;
    }
    try {
      return java.time.Instant.parse(ts).toEpochMilli();
    } catch (java.time.DateTimeException e) {
      return -1;
    }
  }

  /** The nodes that hold at least one connection joined to this room: where fan-out goes. */
  List<String> nodes() {
    return new ArrayList<>(nodeUsers.keySet());
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(log.lastSeq());
    List<String> messages = log.all();
    out.writeInt(messages.size());
    for (String m : messages) {
      out.writeString(m);
    }
    out.writeLongArray(log.ids());
    if (log.gone() == null) {
      out.writeInt(0);
    } else {
      log.gone().writeData(out);
    }
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
    out.writeInt(changedAt.size());
    for (Map.Entry<String, Map<String, Long>> node : changedAt.entrySet()) {
      out.writeString(node.getKey());
      out.writeInt(node.getValue().size());
      for (Map.Entry<String, Long> e : node.getValue().entrySet()) {
        out.writeString(e.getKey());
        out.writeLong(e.getValue());
      }
    }
    out.writeInt(answered == null ? 0 : answered.size());
    if (answered != null) {
      for (Map.Entry<Long, RoomReply> e : answered.entrySet()) {
        out.writeLong(e.getKey());
        e.getValue().writeData(out);
      }
    }
    out.writeLong(emptiedAt);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    long lastSeq = in.readLong();
    int count = in.readInt();
    List<String> messages = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      messages.add(in.readString());
    }
    long[] ids = in.readLongArray();
    log = MessageRing.restore(Math.max(1, count), lastSeq, messages, ids, GoneIds.readData(in));
    members = new TreeMap<>();
    nodeUsers = new HashMap<>(4);
    int memberCount = in.readInt();
    for (int i = 0; i < memberCount; i++) {
      String user = in.readString();
      Presence p = new Presence(in.readString());
      int nodeCount = in.readInt();
      for (int j = 0; j < nodeCount; j++) {
        setConnections(p, in.readString(), in.readInt());
      }
      members.put(user, p);
    }
    changedAt = new HashMap<>(2);
    int stampNodes = in.readInt();
    for (int i = 0; i < stampNodes; i++) {
      String node = in.readString();
      int users = in.readInt();
      Map<String, Long> stamps = new HashMap<>(Math.max(4, users * 2));
      for (int j = 0; j < users; j++) {
        stamps.put(in.readString(), in.readLong());
      }
      changedAt.put(node, stamps);
    }
    int answers = in.readInt();
    for (int i = 0; i < answers; i++) {
      long op = in.readLong();
      RoomReply reply = new RoomReply();
      reply.readData(in);
      answered(op, reply);
    }
    emptiedAt = in.readLong();
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
