package io.switchboard.room;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * The operations on a room entry, run by Hazelcast on the partition that owns the room. Each is
 * deterministic (times and epochs come from the caller), because the backup replays the same
 * operation on its copy: that is what makes an acknowledged message survive a node's death.
 * The append, the largest, is {@link RoomAppend}.
 */
public final class RoomOps {

  private RoomOps() {
  }

  /** Base for the operations that change the room; the backup runs the same instance. */
  abstract static class Mutation implements EntryProcessor<String, RoomState, RoomReply>, DataSerializable {
    String newEpoch;
    int capacity;
    /** False once the cluster holds history.maxRooms: a room that does not exist is not made. */
    boolean mayCreate = true;

    /** Refuses a room that does not exist when no more may be made: see {@link RoomReply#full}. */
    boolean refused(Map.Entry<String, RoomState> entry) {
      return !mayCreate && entry.getValue() == null;
    }

    RoomState stateOf(Map.Entry<String, RoomState> entry) {
      RoomState state = entry.getValue();
      return state != null ? state : new RoomState(newEpoch, capacity);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(newEpoch);
      out.writeInt(capacity);
      out.writeBoolean(mayCreate);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      newEpoch = in.readString();
      capacity = in.readInt();
      mayCreate = in.readBoolean();
    }
  }

  /**
   * Joins a connection (when {@code count}) and answers the seq, the history or recovery, and
   * the members, all from one atomic view: every message after the answered seq goes to the
   * joining node, every message up to it is in the answer.
   */
  public static final class Join extends Mutation {
    String user;
    String name;
    String node;
    boolean count;
    long sinceSeq;
    String sinceEpoch;
    int history;
    int recoverMax;
    /** The members list's byte budget ({@link RoomState#memberList(long)}); 0 for all. */
    long memberBytes;
    /** The messages' byte budget ({@link HistoryWindow}); 0 for none. */
    long messageBytes;
    /** The node's {@link io.switchboard.presence.PresenceClock} stamp of a counted join (see {@link RoomState#changedBy}). */
    long stamp;

    public Join() {
    }

    /** The same join with the node's stamp, taken when it sent it. */
    Join stamped(long stamp) {
      this.stamp = stamp;
      return this;
    }

    Join(String newEpoch, int capacity, String user, String name, String node, boolean count,
         long sinceSeq, String sinceEpoch, int history, int recoverMax) {
      this(newEpoch, capacity, user, name, node, count, sinceSeq, sinceEpoch, history, recoverMax, 0, 0);
    }

    Join(String newEpoch, int capacity, String user, String name, String node, boolean count,
         long sinceSeq, String sinceEpoch, int history, int recoverMax, long messageBytes, long memberBytes) {
      this.messageBytes = messageBytes;
      this.memberBytes = memberBytes;
      this.newEpoch = newEpoch;
      this.capacity = capacity;
      this.user = user;
      this.name = name;
      this.node = node;
      this.count = count;
      this.sinceSeq = sinceSeq;
      this.sinceEpoch = sinceEpoch;
      this.history = history;
      this.recoverMax = recoverMax;
    }

    /**
     * Set by {@link #process} on the owner: a refused join has nothing for the backup to replay,
     * nor has a re-run that found itself applied (the backup may be a copy made since, by
     * serialization, that does not remember it: replayed there, it would count twice).
     */
    private transient boolean wasRefused;
    private transient boolean wasRerun;

    @Override
    public Join getBackupProcessor() {
      return wasRefused || wasRerun ? null : this;
    }

    @Override
    public RoomReply process(Map.Entry<String, RoomState> entry) {
      wasRefused = count && refused(entry);
      if (wasRefused) {
        RoomReply full = new RoomReply();
        full.full = true;
        return full;
      }
      RoomState state = stateOf(entry);
      RoomReply reply = new RoomReply();
      AppliedChanges.Change again = count ? state.appliedChange(node, stamp) : null;
      wasRerun = again != null;
      if (again != null) {
        reply.edge = again.edge(); // run again after its owner died (see AppliedChanges): counted once
      } else if (count) {
        reply.edge = state.join(user, name, node);
        state.changedBy(node, user, stamp);
        state.applied(node, stamp, reply.edge, name);
        entry.setValue(state);
      }
      reply.epoch = state.epoch();
      HistoryWindow.join(state.log(), state.epoch(), sinceSeq, sinceEpoch, history, recoverMax, messageBytes, reply);
      reply.members = state.memberList(memberBytes);
      reply.count = state.memberCount();
      reply.nodes = state.nodes();
      return reply;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      super.writeData(out);
      out.writeString(user);
      out.writeString(name);
      out.writeString(node);
      out.writeBoolean(count);
      out.writeLong(sinceSeq);
      out.writeString(sinceEpoch);
      out.writeInt(history);
      out.writeInt(recoverMax);
      out.writeLong(memberBytes);
      out.writeLong(messageBytes);
      out.writeLong(stamp);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      super.readData(in);
      user = in.readString();
      name = in.readString();
      node = in.readString();
      count = in.readBoolean();
      sinceSeq = in.readLong();
      sinceEpoch = in.readString();
      history = in.readInt();
      recoverMax = in.readInt();
      memberBytes = in.readLong();
      messageBytes = in.readLong();
      stamp = in.readLong();
    }
  }

  /**
   * Removes one connection of a user; {@code edge} tells whether it was the user's last. The
   * node's {@code stamp} stays with the room, for reconciliation (see {@link RoomState#changedSince}).
   */
  public static final class Leave implements EntryProcessor<String, RoomState, RoomReply>, DataSerializable {
    String user;
    String node;
    long stamp;
    /** A re-run that found itself applied changes nothing: no backup (see {@link Join#getBackupProcessor}). */
    private transient boolean wasRerun;

    @Override
    public Leave getBackupProcessor() {
      return wasRerun ? null : this;
    }

    public Leave() {
    }

    Leave(String user, String node, long stamp) {
      this.user = user;
      this.node = node;
      this.stamp = stamp;
    }

    @Override
    public RoomReply process(Map.Entry<String, RoomState> entry) {
      RoomReply reply = new RoomReply();
      RoomState state = entry.getValue();
      if (state == null) {
        return reply;
      }
      AppliedChanges.Change again = state.appliedChange(node, stamp);
      wasRerun = again != null;
      if (again != null) {
        // run again after its owner died (see AppliedChanges): counted once, told as the first run was
        reply.edge = again.edge();
        reply.name = again.name();
      } else {
        reply.name = state.nameOf(user);
        state.changedBy(node, user, stamp);
        reply.edge = state.leave(user, node);
        state.applied(node, stamp, reply.edge, reply.name);
        entry.setValue(state);
      }
      reply.count = state.memberCount();
      reply.seq = state.log().lastSeq();
      reply.nodes = state.nodes();
      return reply;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(user);
      out.writeString(node);
      out.writeLong(stamp);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      user = in.readString();
      node = in.readString();
      stamp = in.readLong();
    }
  }

  /** Removes every connection of a dead node; answers null where nothing changed. */
  public static final class Purge implements EntryProcessor<String, RoomState, RoomReply>, DataSerializable {
    /** A fault that fails one room fails them all: a line a second, not a stack trace per room. */
    private static final io.switchboard.ops.ThrottledLog PURGE_FAILED =
        new io.switchboard.ops.ThrottledLog(org.slf4j.LoggerFactory.getLogger(Purge.class));
    String node;
    /** This purge's id: Hazelcast's re-run of it finds its answer (see {@link RoomState#answeredBy}). */
    long op;

    public Purge() {
    }

    Purge(String node) {
      this(node, RoomStore.newOpId());
    }

    Purge(String node, long op) {
      this.node = node;
      this.op = op;
    }

    /**
     * One room that cannot be processed (a bug, a damaged entry) is passed over, logged: thrown,
     * it failed its whole partition, and the rooms done before it there were changed but never
     * told (their leaves lost, and the backup never given them).
     */
    @Override
    public RoomReply process(Map.Entry<String, RoomState> entry) {
      try {
        return purge(entry);
      } catch (RuntimeException e) {
        PURGE_FAILED.error("room {}: could not remove the connections of node {}", entry.getKey(), node, e);
        return null;
      }
    }

    private RoomReply purge(Map.Entry<String, RoomState> entry) {
      RoomState state = entry.getValue();
      if (state == null) {
        return null;
      }
      boolean connected = state.nodes().contains(node);
      if (state.forgetNode(node) && !connected) {
        entry.setValue(state); // only the dead node's stamps were left: nothing to announce
      }
      if (!connected) {
        return state.answeredBy(op); // a re-run on the former backup: the leaves it made, to tell
      }
      RoomReply reply = new RoomReply();
      reply.members = state.purge(node);
      entry.setValue(state);
      reply.count = state.memberCount();
      reply.seq = state.log().lastSeq();
      reply.nodes = state.nodes();
      state.answered(op, reply);
      return reply;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
      out.writeLong(op);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
      op = in.readLong();
    }
  }

  /** The users with a connection of {@code node} in the room (null when none): reconciliation's candidates. */
  public static final class UsersOn implements EntryProcessor<String, RoomState, java.util.ArrayList<String>>, ReadOnly,
      DataSerializable {
    String node;

    public UsersOn() {
    }

    UsersOn(String node) {
      this.node = node;
    }

    @Override
    public java.util.ArrayList<String> process(Map.Entry<String, RoomState> entry) {
      return entry.getValue() == null ? null : entry.getValue().usersOn(node);
    }

    @Override
    public EntryProcessor<String, RoomState, java.util.ArrayList<String>> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
    }
  }

  /** How many users are in the room (null when none): for the rooms list. */
  public static final class Count implements EntryProcessor<String, RoomState, Integer>, ReadOnly, DataSerializable {

    public Count() {
    }

    @Override
    public Integer process(Map.Entry<String, RoomState> entry) {
      return entry.getValue() == null || entry.getValue().memberCount() == 0 ? null : entry.getValue().memberCount();
    }

    @Override
    public EntryProcessor<String, RoomState, Integer> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }

  /** Reads history or the members list; no backup, no change. */
  public static final class Read implements EntryProcessor<String, RoomState, RoomReply>, ReadOnly, DataSerializable {
    long before;
    long after;
    int limit;
    boolean members;
    /** The members list's byte budget ({@link RoomState#memberList(long)}); 0 for all. */
    long memberBytes;
    /** The messages' byte budget ({@link HistoryWindow}); 0 for none. */
    long messageBytes;

    public Read() {
    }

    static Read history(long before, long after, int limit) {
      return history(before, after, limit, 0);
    }

    static Read history(long before, long after, int limit, long messageBytes) {
      Read r = new Read();
      r.before = before;
      r.after = after;
      r.limit = limit;
      r.messageBytes = messageBytes;
      return r;
    }

    static Read members() {
      return members(0);
    }

    static Read members(long memberBytes) {
      Read r = new Read();
      r.members = true;
      r.memberBytes = memberBytes;
      return r;
    }

    @Override
    public RoomReply process(Map.Entry<String, RoomState> entry) {
      RoomReply reply = new RoomReply();
      RoomState state = entry.getValue();
      if (state == null) {
        return reply;
      }
      reply.epoch = state.epoch();
      if (members) {
        reply.members = state.memberList(memberBytes);
        reply.count = state.memberCount();
        reply.nodes = state.nodes();
        reply.seq = state.log().lastSeq();
      } else {
        HistoryWindow.read(state.log(), before, after, limit, messageBytes, reply);
      }
      return reply;
    }

    @Override
    public EntryProcessor<String, RoomState, RoomReply> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(before);
      out.writeLong(after);
      out.writeInt(limit);
      out.writeBoolean(members);
      out.writeLong(memberBytes);
      out.writeLong(messageBytes);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      before = in.readLong();
      after = in.readLong();
      limit = in.readInt();
      members = in.readBoolean();
      memberBytes = in.readLong();
      messageBytes = in.readLong();
    }
  }

  /**
   * Removes a room that has neither members nor a message ever stored: what joins and leaves of
   * rooms nobody wrote in leave behind. A room with messages keeps its entry (its seq and epoch
   * are what clients recover by) until {@link IdleRooms} removes it. Answers TRUE where it
   * removed the entry, FALSE where the room is unused but still holds a node's stamps (a round
   * of that node whose truth was taken before the change has yet to see it: removed with the
   * entry, the stamp would not keep that round from putting a member who left back into a room
   * it recreates); the backup runs the same test on its copy.
   */
  public static final class DropUnused implements EntryProcessor<String, RoomState, Boolean>, DataSerializable {

    public DropUnused() {
    }

    @Override
    public Boolean process(Map.Entry<String, RoomState> entry) {
      RoomState state = entry.getValue();
      if (state == null || state.memberCount() > 0 || state.log().lastSeq() > 0) {
        return null;
      }
      return removeUnlessStamped(entry);
    }

    /**
     * Removes an unused room unless a node's stamps are still in it: TRUE where removed, FALSE
     * where kept for a later try (see above). Shared with {@link IdleOps.Expire}.
     */
    static Boolean removeUnlessStamped(Map.Entry<String, RoomState> entry) {
      if (entry.getValue().hasStamps()) {
        return Boolean.FALSE;
      }
      entry.setValue(null);
      return Boolean.TRUE;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }
}
