package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The people a user has private conversations with, each with when a message between them was
 * last noted: the entry of {@link ConversationIndex} for one user. Holds the {@link #MAX} most
 * recent; past that, noting a new one forgets the one quiet longest. Two arrays, not a map: a
 * thousand entries are a few KiB, and the index holds one per user who ever wrote privately.
 */
public final class Peers implements DataSerializable {

  /** A user with more conversations still lists the most recent ones. */
  public static final int MAX = 1_000;

  private String[] users = new String[4];
  private long[] lastMs = new long[4];
  private int size;

  public Peers() {
  }

  /** Holds {@link #MAX} peers: each new one takes the place of the one noted longest ago. */
  boolean full() {
    return size == MAX;
  }

  /** Notes a message with {@code peer} at {@code ms}; the later of two notes wins. */
  void note(String peer, long ms) {
    for (int i = 0; i < size; i++) {
      if (users[i].equals(peer)) {
        lastMs[i] = Math.max(lastMs[i], ms);
        return;
      }
    }
    if (size == MAX) {
      int oldest = 0;
      for (int i = 1; i < size; i++) {
        if (lastMs[i] < lastMs[oldest]) {
          oldest = i;
        }
      }
      if (ms <= lastMs[oldest]) {
        return; // older than all it keeps (a split brain's other side, merged)
      }
      users[oldest] = peer;
      lastMs[oldest] = ms;
      return;
    }
    if (size == users.length) {
      users = Arrays.copyOf(users, Math.min(MAX, size * 2));
      lastMs = Arrays.copyOf(lastMs, users.length);
    }
    users[size] = peer;
    lastMs[size++] = ms;
  }

  /** Both entries' peers in one: each peer at the later of its two notes (a split brain's two sides). */
  static Peers union(Peers a, Peers b) {
    Peers out = new Peers();
    for (Peers side : new Peers[] {a, b}) {
      for (int i = 0; i < side.size; i++) {
        out.note(side.users[i], side.lastMs[i]);
      }
    }
    return out;
  }

  /** Up to {@code limit} peers, most recently noted first (ties by user id, so that pages agree). */
  ArrayList<String> recent(int limit) {
    Integer[] order = new Integer[size];
    for (int i = 0; i < size; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> lastMs[a] != lastMs[b] ? Long.compare(lastMs[b], lastMs[a]) : users[a].compareTo(users[b]));
    ArrayList<String> out = new ArrayList<>(Math.min(limit, size));
    for (int i = 0; i < size && out.size() < limit; i++) {
      out.add(users[order[i]]);
    }
    return out;
  }

  int size() {
    return size;
  }

  List<String> users() {
    return Arrays.asList(Arrays.copyOf(users, size));
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(size);
    for (int i = 0; i < size; i++) {
      out.writeString(users[i]);
      out.writeLong(lastMs[i]);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    size = in.readInt();
    users = new String[Math.max(4, size)];
    lastMs = new long[users.length];
    for (int i = 0; i < size; i++) {
      users[i] = in.readString();
      lastMs[i] = in.readLong();
    }
  }
}
