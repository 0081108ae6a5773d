package io.switchboard.room;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.switchboard.presence.LocalPresence;
import io.switchboard.protocol.Member;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sets one node's connections in rooms to what that node knows (reconciliation): users of the
 * truth are added, and users in {@code known} (the node's users of the room as the cluster had
 * them before the truth was taken) that the truth lacks are removed. A user the node joined or
 * left after the truth was taken ({@code since}), or whose change was still on its way then
 * ({@code busyMembers}), is left alone: put back or counted out, it would be wrong for a round.
 * A room that is busy as a whole ({@code skip}) is left alone. Answers who joined or left and the
 * nodes to tell, and, for every room the node has members in, the log's epoch and last seq: a
 * message whose delivery to the node was lost shows as a stream behind it ({@link
 * RoomReply#corrected} false where only that is said). Null for the rest.
 */
public final class RoomReconcile implements EntryProcessor<String, RoomState, RoomReply>, DataSerializable {

  /** A fault that fails one room fails them all, every round: a line a second, not a stack trace per room. */
  private static final io.switchboard.ops.ThrottledLog FAILED =
      new io.switchboard.ops.ThrottledLog(org.slf4j.LoggerFactory.getLogger(RoomReconcile.class));
  String node;
  Map<String, Map<String, LocalPresence.Joined>> truth;
  Map<String, List<String>> known;
  Set<String> skip;
  Map<String, Set<String>> busyMembers;
  long since;
  /** For a room this node has members in but the cluster has no entry for: see {@link #process}. */
  String newEpoch;
  int capacity;
  /** This round's id, for one partition: Hazelcast's re-run of it finds its answer (see {@link RoomState#answeredBy}). */
  long op = RoomStore.newOpId();

  public RoomReconcile() {
  }

  RoomReconcile(String node, Map<String, Map<String, LocalPresence.Joined>> truth,
                Map<String, List<String>> known, Set<String> skip, Map<String, Set<String>> busyMembers, long since,
                String newEpoch, int capacity) {
    this.busyMembers = busyMembers;
    this.node = node;
    this.truth = truth;
    this.known = known;
    this.skip = skip;
    this.since = since;
    this.newEpoch = newEpoch;
    this.capacity = capacity;
  }

  /**
   * One room that cannot be reconciled (a bug, a damaged entry) is passed over, logged: thrown,
   * it failed its whole partition in every round, and the rooms done before it there were
   * changed but never told (as in {@link RoomOps.Purge}).
   */
  @Override
  public RoomReply process(Map.Entry<String, RoomState> entry) {
    try {
      return reconcile(entry);
    } catch (RuntimeException e) {
      FAILED.error("room {}: could not reconcile node {}'s connections", entry.getKey(), node, e);
      return null;
    }
  }

  private RoomReply reconcile(Map.Entry<String, RoomState> entry) {
    RoomState state = entry.getValue();
    if (skip.contains(entry.getKey())) {
      return null; // busy on that node
    }
    Map<String, LocalPresence.Joined> mine = truth.getOrDefault(entry.getKey(), Map.of());
    if (state == null) {
      if (mine.isEmpty()) {
        return null; // no such room, and none of this node's connections in it
      }
      // removed as unused (RoomStore.dropUnused) or lost, while members here are in it: they
      // bring it back, or they would never get its messages again
      state = new RoomState(newEpoch, capacity);
    }
    List<Member> joined = new ArrayList<>();
    List<Member> left = new ArrayList<>();
    boolean served = state.forgetStamps(node, since);
    if (!state.reconcile(node, mine, known.getOrDefault(entry.getKey(), List.of()), since,
        busyMembers.getOrDefault(entry.getKey(), Set.of()), joined, left)) {
      if (served) {
        entry.setValue(state);
      }
      RoomReply again = state.answeredBy(op); // a re-run on the former backup: what it changed, to tell
      return again != null ? again : mine.isEmpty() || entry.getValue() == null ? null : tail(state);
    }
    entry.setValue(state);
    RoomReply reply = tail(state);
    reply.members = joined;
    reply.left = left;
    reply.count = state.memberCount();
    reply.nodes = state.nodes();
    state.answered(op, reply);
    return reply;
  }

  private static RoomReply tail(RoomState state) {
    RoomReply reply = new RoomReply();
    reply.epoch = state.epoch();
    reply.seq = state.log().lastSeq();
    return reply;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(node);
    out.writeInt(truth.size());
    for (Map.Entry<String, Map<String, LocalPresence.Joined>> room : truth.entrySet()) {
      out.writeString(room.getKey());
      out.writeInt(room.getValue().size());
      for (Map.Entry<String, LocalPresence.Joined> m : room.getValue().entrySet()) {
        out.writeString(m.getKey());
        out.writeString(m.getValue().name());
        out.writeInt(m.getValue().count());
      }
    }
    out.writeInt(known.size());
    for (Map.Entry<String, List<String>> room : known.entrySet()) {
      out.writeString(room.getKey());
      DataIo.writeStrings(out, room.getValue());
    }
    DataIo.writeStrings(out, skip);
    out.writeInt(busyMembers.size());
    for (Map.Entry<String, Set<String>> room : busyMembers.entrySet()) {
      out.writeString(room.getKey());
      DataIo.writeStrings(out, room.getValue());
    }
    out.writeLong(since);
    out.writeString(newEpoch);
    out.writeInt(capacity);
    out.writeLong(op);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    node = in.readString();
    int rooms = in.readInt();
    truth = new HashMap<>();
    for (int i = 0; i < rooms; i++) {
      String room = in.readString();
      int n = in.readInt();
      Map<String, LocalPresence.Joined> members = new HashMap<>();
      for (int j = 0; j < n; j++) {
        members.put(in.readString(), new LocalPresence.Joined(in.readString(), in.readInt()));
      }
      truth.put(room, members);
    }
    known = new HashMap<>();
    int knownRooms = in.readInt();
    for (int i = 0; i < knownRooms; i++) {
      known.put(in.readString(), DataIo.readStrings(in));
    }
    skip = new HashSet<>(DataIo.readStrings(in));
    busyMembers = new HashMap<>();
    int busyRooms = in.readInt();
    for (int i = 0; i < busyRooms; i++) {
      busyMembers.put(in.readString(), new HashSet<>(DataIo.readStrings(in)));
    }
    since = in.readLong();
    newEpoch = in.readString();
    capacity = in.readInt();
    op = in.readLong();
  }
}
