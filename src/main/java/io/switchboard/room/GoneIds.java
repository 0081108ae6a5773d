package io.switchboard.room;

import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import java.io.IOException;

/**
 * The append ids of messages a room's log let go of lately, with their seqs, so that an append
 * run again (Hazelcast's re-run on a new owner, or a confirming run, see RoomStore.withBackup)
 * still finds what it stored after a busy room wrote {@code history.size} messages more within
 * its window: not found, it was stored a second time under a new seq. Each entry is stamped with
 * the deadline (cluster time) of the append that let it go, and goes once the appends coming in
 * are {@link #KEEP_MS} past that: by then no run of it can store anything (past its own
 * deadline an append stores nothing). Stamps come from the operations, so a backup that replays
 * them keeps the same entries as its owner.
 */
final class GoneIds {

  /**
   * Two append windows, and two seconds for the clocks of the nodes that set the deadlines: an
   * entry is stamped with the deadline of the append that let it go, which may have been sent up
   * to a window before the one it let go of (it waited longer on its way), so the stamp may be
   * a window earlier than the deadline that matters.
   */
  static final long KEEP_MS = 2 * RoomStore.STORE_WINDOW_MS + 2_000;
  /** At most this many (the oldest go first): 7 s of a room at 580 appends a second. */
  static final int MAX = 4096;
  private static final int FIRST = 16;

  private long[] ids = new long[FIRST];
  private long[] seqs = new long[FIRST];
  private long[] stamps = new long[FIRST];
  private int start;
  private int size;

  void add(long id, long seq, long stamp) {
    if (size == ids.length) {
      if (size == MAX) {
        start = (start + 1) % ids.length;
        size--;
      } else {
        relocate(Math.min(MAX, size * 2));
      }
    }
    int slot = (start + size) % ids.length;
    ids[slot] = id;
    seqs[slot] = seq;
    stamps[slot] = stamp;
    size++;
  }

  /** Forgets the entries stamped more than {@link #KEEP_MS} before {@code stamp}, the deadline of an append now. */
  void forgetBefore(long stamp) {
    while (size > 0 && stamps[start] < stamp - KEEP_MS) {
      start = (start + 1) % ids.length;
      size--;
    }
    if (ids.length > FIRST && size < ids.length / 4) {
      relocate(Math.max(FIRST, size * 2)); // a room that was busy does not keep its peak's arrays
    }
  }

  /** The seq of the message append {@code id} stored last, if it was let go of lately; else -1. */
  long seqOf(long id) {
    for (int i = size - 1; i >= 0; i--) {
      int slot = (start + i) % ids.length;
      if (ids[slot] == id) {
        return seqs[slot];
      }
    }
    return -1;
  }

  int size() {
    return size;
  }

  private void relocate(int length) {
    long[] movedIds = new long[length];
    long[] movedSeqs = new long[length];
    long[] movedStamps = new long[length];
    for (int i = 0; i < size; i++) {
      int slot = (start + i) % ids.length;
      movedIds[i] = ids[slot];
      movedSeqs[i] = seqs[slot];
      movedStamps[i] = stamps[slot];
    }
    ids = movedIds;
    seqs = movedSeqs;
    stamps = movedStamps;
    start = 0;
  }

  void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(size);
    for (int i = 0; i < size; i++) {
      int slot = (start + i) % ids.length;
      out.writeLong(ids[slot]);
      out.writeLong(seqs[slot]);
      out.writeLong(stamps[slot]);
    }
  }

  /** What {@link #writeData} wrote; null when it held nothing. */
  static GoneIds readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    GoneIds gone = n == 0 ? null : new GoneIds();
    for (int i = 0; i < n; i++) {
      gone.add(in.readLong(), in.readLong(), in.readLong());
    }
    return gone;
  }
}
