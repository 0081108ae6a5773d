package io.switchboard.room;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * The operations that read a room entry and change nothing ({@link ReadOnly}): Hazelcast neither
 * writes the entry back nor sends a backup. The ones that change the room are {@link RoomJoin},
 * {@link RoomAppend} and those of {@link RoomOps}.
 */
public final class RoomReads {

  private RoomReads() {
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
}
