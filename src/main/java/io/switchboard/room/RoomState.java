package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.switchboard.protocol.Member;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
  /** Who is connected, from which node. */
  private RoomMembers members = new RoomMembers();
  /** The nodes' latest join and leave stamps per user, for reconciliation. */
  private PresenceStamps stamps = new PresenceStamps();
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
    return members.join(user, name, node);
  }

  /** Removes one connection; true when it was the user's last in this room, cluster-wide. */
  boolean leave(String user, String node) {
    boolean last = members.leave(user, node);
    if (last) {
      noteIfEmptied();
    }
    return last;
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
    stamps.changedBy(node, user, stamp);
  }

  /** Whether {@code node} sent a join or leave of {@code user} after {@code since}. */
  boolean changedSince(String node, String user, long since) {
    return stamps.changedSince(node, user, since);
  }

  /** Drops {@code node}'s stamps up to {@code since}: its round's truth has those changes. Whether any went. */
  boolean forgetStamps(String node, long since) {
    return stamps.forget(node, since);
  }

  /** Whether any node's join or leave stamp is still here. */
  boolean hasStamps() {
    return !stamps.isEmpty();
  }

  /** Drops a departed node's stamps; whether it had any. */
  boolean forgetNode(String node) {
    return stamps.forgetNode(node);
  }

  /**
   * Adds the connections {@code other} (the same room on the other side of a healed split brain)
   * lists and this one lacks, and the later of each node's join and leave stamps of each user.
   */
  void adoptMembers(RoomState other) {
    members.adopt(other.members);
    stamps.adopt(other.stamps);
    emptiedAt = Math.max(emptiedAt, other.emptiedAt);
  }

  /**
   * Whether this side of a healed split brain has clients to tell of {@code other}'s members:
   * it lists someone (a member is a connection joined here) and lacks a user {@code other} lists.
   */
  boolean mustBeToldOf(RoomState other) {
    return members.lackSomeOf(other.members);
  }

  /** The log under a new epoch: what it held can no longer be trusted by seq alone (see {@link RoomMerge}). */
  void restart(String newEpoch, MessageRing newLog) {
    this.epoch = newEpoch;
    this.log = newLog;
  }

  /** Removes every connection of a dead node; the users who are gone from the room as a result. */
  List<Member> purge(String node) {
    List<Member> gone = members.purge(node);
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
    int before = left.size();
    boolean changed = members.reconcile(node, truth, known, leftAlone, joined, left);
    if (left.size() > before) {
      noteIfEmptied();
    }
    return changed;
  }

  /**
   * The users with a connection of {@code node} in the room, and those with a stamp of it (so
   * that its next round visits the room and drops the stamps it has served); null when none.
   */
  ArrayList<String> usersOn(String node) {
    java.util.Set<String> users = new java.util.TreeSet<>();
    stamps.usersOf(node, users);
    members.usersOn(node, users);
    return users.isEmpty() ? null : new ArrayList<>(users);
  }

  /** Whether any connection or stamp of {@code node} is in the room: its rounds look at it. */
  @Override
  public boolean hasNode(String node) {
    return members.hasNode(node) || stamps.hasNode(node);
  }

  @Override
  public void addNodes(java.util.Set<String> out) {
    out.addAll(members.nodeSet());
    out.addAll(stamps.nodeSet());
  }

  String nameOf(String user) {
    return members.nameOf(user);
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
    return members.list(budget);
  }

  int memberCount() {
    return members.count();
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
    return new ArrayList<>(members.nodeSet());
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
    members.writeData(out);
    stamps.writeData(out);
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
    members = RoomMembers.readData(in);
    stamps = PresenceStamps.readData(in);
    int answers = in.readInt();
    for (int i = 0; i < answers; i++) {
      long op = in.readLong();
      RoomReply reply = new RoomReply();
      reply.readData(in);
      answered(op, reply);
    }
    emptiedAt = in.readLong();
  }
}
