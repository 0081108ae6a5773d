package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import io.switchboard.protocol.Member;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What a room operation answers, from the partition that owns the room. One shape for every
 * operation keeps the serialization in one place; each operation fills the fields it needs.
 */
public final class RoomReply implements DataSerializable {

  String epoch = "";
  /** The room's latest seq (after an append: the seq it assigned). */
  long seq;
  /** Seq of {@code messages.get(0)}. */
  long firstSeq;
  List<String> messages = List.of();
  boolean more;
  /** Join: true/false with {@code since}, else null. */
  Boolean recovered;
  /** Join: the user's first connection in the room. Leave: the user's last. */
  boolean edge;
  String name = "";
  List<Member> members = List.of();
  /** Reconciliation: users who left the room. */
  List<Member> left = List.of();
  int count;
  List<String> nodes = List.of();
  /**
   * Append: stored by an earlier run (a retry, or the same key sent again); {@code messages} are
   * its frames as stored, or empty where the room let go of any of them.
   */
  boolean found;
  /** Append: not stored, for the caller's deadline had passed when the owner came to it. */
  boolean expired;
  /** Join, append: refused, for the room does not exist and the cluster holds history.maxRooms. */
  boolean full;
  /** Append: refused, for the member that keeps the room is short of heap (MemoryGuard). */
  boolean lowMemory;
  /** Join, append: this call made the room (set by the caller, {@link RoomStore}: not sent). */
  transient boolean created;

  public RoomReply() {
    // for Hazelcast
  }

  /**
   * An append's reply as if this run had stored its messages: a confirming run (see
   * RoomStore.withBackup) finds what its first run stored, and nobody has been told of it yet.
   * Unless later messages went out meanwhile: their receivers have read it from the log.
   */
  RoomReply asStored() {
    if (!more) {
      messages = List.of();
      found = false;
    }
    return this;
  }

  public boolean found() {
    return found;
  }

  public String epoch() {
    return epoch;
  }

  public long seq() {
    return seq;
  }

  public long firstSeq() {
    return firstSeq;
  }

  public List<String> messages() {
    return messages;
  }

  public boolean more() {
    return more;
  }

  public Boolean recovered() {
    return recovered;
  }

  public boolean edge() {
    return edge;
  }

  public String name() {
    return name;
  }

  public List<Member> members() {
    return members;
  }

  public List<Member> left() {
    return left;
  }

  public int count() {
    return count;
  }

  public List<String> nodes() {
    return nodes;
  }

  public boolean lowMemory() {
    return lowMemory;
  }

  public boolean expired() {
    return expired;
  }

  public boolean full() {
    return full;
  }

  public boolean created() {
    return created;
  }

  /** Reconciliation: someone joined or left (else the reply only gives the log's epoch and seq). */
  public boolean corrected() {
    return !members.isEmpty() || !left.isEmpty();
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeString(epoch);
    out.writeLong(seq);
    out.writeLong(firstSeq);
    writeStrings(out, messages);
    out.writeBoolean(more);
    out.writeByte(recovered == null ? 2 : recovered ? 1 : 0);
    out.writeBoolean(edge);
    out.writeString(name);
    writeMembers(out, members);
    writeMembers(out, left);
    out.writeInt(count);
    writeStrings(out, nodes);
    out.writeBoolean(expired);
    out.writeBoolean(full);
    out.writeBoolean(lowMemory);
    out.writeBoolean(found);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    epoch = in.readString();
    seq = in.readLong();
    firstSeq = in.readLong();
    messages = readStrings(in);
    more = in.readBoolean();
    byte r = in.readByte();
    recovered = r == 2 ? null : r == 1;
    edge = in.readBoolean();
    name = in.readString();
    members = readMembers(in);
    left = readMembers(in);
    count = in.readInt();
    nodes = readStrings(in);
    expired = in.readBoolean();
    full = in.readBoolean();
    lowMemory = in.readBoolean();
    found = in.readBoolean();
  }

  private static void writeMembers(ObjectDataOutput out, List<Member> list) throws IOException {
    out.writeInt(list.size());
    for (Member m : list) {
      out.writeString(m.user());
      out.writeString(m.name());
    }
  }

  private static List<Member> readMembers(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    List<Member> list = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      list.add(new Member(in.readString(), in.readString()));
    }
    return list;
  }

  private static void writeStrings(ObjectDataOutput out, List<String> strings) throws IOException {
    DataIo.writeStrings(out, strings);
  }

  private static List<String> readStrings(ObjectDataInput in) throws IOException {
    return DataIo.readStrings(in);
  }
}
