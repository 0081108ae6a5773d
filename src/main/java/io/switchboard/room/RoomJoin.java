package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;
import java.util.Map;

/**
 * Joins a connection (when {@code count}) and answers the seq, the history or recovery, and
 * the members, all from one atomic view: every message after the answered seq goes to the
 * joining node, every message up to it is in the answer.
 */
public final class RoomJoin extends RoomOps.Mutation {
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

  public RoomJoin() {
  }

  /** The same join with the node's stamp, taken when it sent it. */
  RoomJoin stamped(long stamp) {
    this.stamp = stamp;
    return this;
  }

  RoomJoin(String newEpoch, int capacity, String user, String name, String node, boolean count,
       long sinceSeq, String sinceEpoch, int history, int recoverMax) {
    this(newEpoch, capacity, user, name, node, count, sinceSeq, sinceEpoch, history, recoverMax, 0, 0);
  }

  RoomJoin(String newEpoch, int capacity, String user, String name, String node, boolean count,
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
  public RoomJoin getBackupProcessor() {
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
