package io.switchboard.room;

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
 * The two largest have classes of their own, {@link RoomJoin} and {@link RoomAppend}; the ones
 * that only read are {@link RoomReads}.
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
   * Removes one connection of a user; {@code edge} tells whether it was the user's last. The
   * node's {@code stamp} stays with the room, for reconciliation (see {@link RoomState#changedSince}).
   */
  public static final class Leave implements EntryProcessor<String, RoomState, RoomReply>, DataSerializable {
    String user;
    String node;
    long stamp;
    /** A re-run that found itself applied changes nothing: no backup (see {@link RoomJoin#getBackupProcessor}). */
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
