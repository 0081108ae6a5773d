package io.switchboard.room;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Map;

/** Operations on a user's {@link Peers}, run on the user's partition; deterministic for backups. */
public final class PeerOps {

  private PeerOps() {
  }

  /** Notes a private message with {@code peer} at {@code ms} (the sending node's clock). */
  public static final class Note implements EntryProcessor<String, Peers, Boolean>, DataSerializable {
    String peer;
    long ms;

    public Note() {
    }

    Note(String peer, long ms) {
      this.peer = peer;
      this.ms = ms;
    }

    @Override
    public Boolean process(Map.Entry<String, Peers> entry) {
      Peers peers = entry.getValue() != null ? entry.getValue() : new Peers();
      peers.note(peer, ms);
      entry.setValue(peers);
      // a full entry lets its oldest peer go for each new one: this note may not last its window
      return !peers.full();
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(peer);
      out.writeLong(ms);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      peer = in.readString();
      ms = in.readLong();
    }
  }

  /** Up to {@code limit} peers, most recently noted first. */
  public static final class Recent implements EntryProcessor<String, Peers, ArrayList<String>>, ReadOnly,
      DataSerializable {
    int limit;

    public Recent() {
    }

    Recent(int limit) {
      this.limit = limit;
    }

    @Override
    public ArrayList<String> process(Map.Entry<String, Peers> entry) {
      return entry.getValue() == null ? new ArrayList<>() : entry.getValue().recent(limit);
    }

    @Override
    public EntryProcessor<String, Peers, ArrayList<String>> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeInt(limit);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      limit = in.readInt();
    }
  }
}
