package io.switchboard.room;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The retained tail of a room's log: the latest {@code capacity} encoded messages, addressed by
 * seq. Messages are contiguous, so the seq of every retained message follows from the last one.
 * The slots grow with the log, doubling up to the capacity, and a room without messages has
 * none: most rooms never fill it, and a full-size array up front was 4 KiB per room (a tenth
 * of an idle node's heap in rooms of ten).
 *
 * <p>The messages are kept as UTF-8 in one byte ring per room, not as a String each: a retained
 * message lives for seconds, past a young GC, and the collector copies every object it finds
 * alive there. 1 000 Strings per room were the whole of the young pauses (18 MB copied, 31 ms
 * on one core) at 20 000 publishes/s into 100 rooms; bytes in an old array are not copied.
 */
final class MessageRing {

  private static final int FIRST_SLOTS = 16;
  private static final int FIRST_BYTES = 1024;
  /** Byte arrays up to this size are kept whatever they hold: shrinking them saves too little to copy for. */
  private static final int SHRINK_ABOVE = 64 * 1024;
  private static final byte[] NO_BYTES = new byte[0];
  private static final int[] NO_SLOTS = new int[0];
  private static final long[] NO_IDS = new long[0];

  private int capacity;
  /** Where each retained message's bytes start in {@link #data}, and how many; ring order from {@link #start}. */
  private int[] offsets;
  private int[] lengths;
  /** The id of the append that stored each message (0: none), so that a retried append is known. */
  private long[] ids = NO_IDS;
  private int start;
  private int size;
  private long lastSeq;
  /** The retained messages' bytes, oldest first, contiguous but for the wrap at the end. */
  private byte[] data = NO_BYTES;
  private int writeAt;
  private int used;
  /** Ids of messages let go of lately (null: none), see {@link GoneIds}. */
  private GoneIds gone;
  /** The deadline of the append under way: what {@link GoneIds} stamps the messages it lets go of with; 0 for none. */
  private long stamp;

  MessageRing(int capacity, long lastSeq) {
    this.capacity = capacity;
    this.offsets = NO_SLOTS;
    this.lengths = NO_SLOTS;
    this.lastSeq = lastSeq;
  }

  long lastSeq() {
    return lastSeq;
  }

  int size() {
    return size;
  }

  /** Seq of the oldest retained message; {@code lastSeq + 1} when nothing is retained. */
  long firstSeq() {
    return lastSeq - size + 1;
  }

  /** Slots allocated now, at most the capacity. */
  int allocated() {
    return offsets.length;
  }

  void append(String message, int capacity) {
    append(message, capacity, 0);
  }

  void append(String message, int capacity, long id) {
    append(message, capacity, id, Integer.MAX_VALUE);
  }

  /**
   * Appends, then drops the oldest messages while the retained ones take more than
   * {@code maxBytes} (the newest always stays): a count alone let a room keep 1 000 messages
   * of 64 KiB, 64 MiB and as much again in its backup, in as many rooms as anyone cares to name.
   */
  void append(String message, int capacity, long id, int maxBytes) {
    append(message, capacity, id, maxBytes, 0);
  }

  /**
   * As {@link #append(String, int, long, int)}, for an append whose deadline (cluster time) is
   * {@code stamp}: the ids of the messages it lets go of are kept a while (see {@link GoneIds}).
   */
  void append(String message, int capacity, long id, int maxBytes, long stamp) {
    this.stamp = stamp;
    if (gone != null && stamp > 0) {
      gone.forgetBefore(stamp);
      if (gone.size() == 0) {
        gone = null;
      }
    }
    appendOne(message, capacity, id, maxBytes);
    // the bytes grow by doubling and never shrank: a burst of large messages left a room (and
    // its backup) holding twice history.maxBytes for as long as it lived, after the chat went
    // back to small ones. Under a quarter used, half of the new size is; so no size thrashes.
    if (data.length > SHRINK_ABOVE && used < data.length / 4) {
      compact(Math.max(FIRST_BYTES, used * 2));
    }
  }

  /** Lets go of the oldest message, keeping its id a while when it has one. */
  private void dropOldest() {
    keepGone(ids[start], firstSeq());
    used -= lengths[start];
    start = (start + 1) % offsets.length;
    size--;
  }

  private void keepGone(long id, long seq) {
    if (id != 0 && stamp > 0) {
      if (gone == null) {
        gone = new GoneIds();
      }
      gone.add(id, seq, stamp);
    }
  }

  /** The bytes held for the messages now (used or not): what the room costs the heap. */
  int allocatedBytes() {
    return data.length;
  }

  /**
   * The oldest go before the new one comes in, as many as would have gone after it (the same
   * ones stay): dropped after, a full ring grew for the one message first, by doubling, and a
   * room at history.maxBytes held an array of twice that, its backup as much.
   */
  private void appendOne(String message, int capacity, long id, int maxBytes) {
    if (capacity != this.capacity) {
      resize(capacity);
    } else if (size == offsets.length && size < capacity) {
      relocate(Math.min(capacity, Math.max(FIRST_SLOTS, size * 2)), size);
    }
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    if (size == offsets.length) {
      dropOldest();
    }
    while (size > 0 && (long) used + bytes.length > maxBytes) {
      dropOldest();
    }
    if (data.length - used < bytes.length || data.length == 0) {
      long doubled = Math.max(data.length * 2L, Math.max(FIRST_BYTES, used + bytes.length));
      // never past what the room may keep (the newest always stays, whatever its size)
      compact((int) Math.min(doubled, Math.max(maxBytes, used + bytes.length)));
    }
    int slot = (start + size) % offsets.length;
    offsets[slot] = writeAt;
    lengths[slot] = bytes.length;
    ids[slot] = id;
    int first = Math.min(bytes.length, data.length - writeAt);
    System.arraycopy(bytes, 0, data, writeAt, first);
    System.arraycopy(bytes, first, data, 0, bytes.length - first);
    writeAt = (writeAt + bytes.length) % data.length;
    used += bytes.length;
    size++;
    lastSeq++;
  }

  /** Retained messages with {@code from <= seq <= to}, oldest first. */
  List<String> slice(long from, long to) {
    long lo = Math.max(from, firstSeq());
    long hi = Math.min(to, lastSeq);
    List<String> out = new ArrayList<>((int) Math.max(0, hi - lo + 1));
    for (long seq = lo; seq <= hi; seq++) {
      out.add(message((int) ((start + (seq - firstSeq())) % offsets.length)));
    }
    return out;
  }

  /**
   * The seq of the message stored by append {@code id} (its last one), retained or let go of
   * lately (see {@link GoneIds}); -1 when none is (or id is 0).
   */
  long seqOf(long id) {
    long kept = retainedSeqOf(id);
    return kept >= 0 || gone == null || id == 0 ? kept : gone.seqOf(id);
  }

  private long retainedSeqOf(long id) {
    if (id == 0 || size == 0) {
      return -1;
    }
    // newest first, in the ring's two runs, without a division per slot: every append looks
    // through up to history.size ids
    int n = offsets.length;
    int end = start + size;
    for (int slot = end - n - 1; slot >= 0; slot--) {
      if (ids[slot] == id) {
        return firstSeq() + (n - start) + slot;
      }
    }
    for (int slot = Math.min(end, n) - 1; slot >= start; slot--) {
      if (ids[slot] == id) {
        return firstSeq() + (slot - start);
      }
    }
    return -1;
  }

  /** The retained messages' append ids, oldest first. */
  long[] ids() {
    long[] out = new long[size];
    for (int i = 0; i < size; i++) {
      out[i] = ids[(start + i) % offsets.length];
    }
    return out;
  }

  /**
   * The last {@code max} bytes of the newest message, as ASCII (a byte past it reads as '?'):
   * its {@code ts}, the last field, without decoding a message of up to 64 KiB. "" when none.
   */
  String newestTail(int max) {
    if (size == 0) {
      return "";
    }
    int slot = slotOf(lastSeq);
    int length = Math.min(max, lengths[slot]);
    char[] out = new char[length];
    int from = offsets[slot] + lengths[slot] - length;
    for (int i = 0; i < length; i++) {
      byte b = data[(from + i) % data.length];
      out[i] = b >= 0 ? (char) b : '?';
    }
    return new String(out);
  }

  private int slotOf(long seq) {
    return (int) ((start + (seq - firstSeq())) % offsets.length);
  }

  /**
   * The highest seq {@code x} in {@code from..to} whose messages {@code from..x} take at most
   * {@code budget} bytes as UTF-8; {@code from} itself when that one alone is over.
   */
  long fitFrom(long from, long to, long budget) {
    long used = lengths[slotOf(from)];
    long x = from;
    while (x < to && used + lengths[slotOf(x + 1)] <= budget) {
      x++;
      used += lengths[slotOf(x)];
    }
    return x;
  }

  /**
   * The lowest seq {@code x} in {@code from..to} whose messages {@code x..to} take at most
   * {@code budget} bytes as UTF-8; {@code to} itself when that one alone is over.
   */
  long fitTo(long from, long to, long budget) {
    long used = lengths[slotOf(to)];
    long x = to;
    while (x > from && used + lengths[slotOf(x - 1)] <= budget) {
      x--;
      used += lengths[slotOf(x)];
    }
    return x;
  }

  private String message(int slot) {
    int offset = offsets[slot];
    int length = lengths[slot];
    if (offset + length <= data.length) {
      return new String(data, offset, length, StandardCharsets.UTF_8);
    }
    return new String(bytesOf(slot), StandardCharsets.UTF_8);
  }

  private byte[] bytesOf(int slot) {
    byte[] bytes = new byte[lengths[slot]];
    int first = Math.min(bytes.length, data.length - offsets[slot]);
    System.arraycopy(data, offsets[slot], bytes, 0, first);
    System.arraycopy(data, 0, bytes, first, bytes.length - first);
    return bytes;
  }

  /** The retained bytes (one run from the oldest, but for the wrap) from 0 in a new array of {@code length}. */
  private void compact(int length) {
    byte[] moved = new byte[length];
    int from = size == 0 ? 0 : offsets[start];
    int first = Math.min(used, data.length - from);
    System.arraycopy(data, from, moved, 0, first);
    System.arraycopy(data, 0, moved, first, used - first);
    for (int i = 0; i < size; i++) {
      int slot = (start + i) % offsets.length;
      offsets[slot] = (offsets[slot] - from + data.length) % data.length;
    }
    data = moved;
    writeAt = used % length;
  }

  private void resize(int capacity) {
    this.capacity = capacity;
    int keep = Math.min(size, capacity);
    relocate(Math.min(capacity, Math.max(FIRST_SLOTS, keep * 2)), keep);
    compact(Math.max(FIRST_BYTES, used)); // a smaller window keeps no larger bytes than it needs
  }

  /** New slots of {@code length}, holding the latest {@code keep} messages (oldest first) from the start. */
  private void relocate(int length, int keep) {
    int[] movedOffsets = new int[length];
    int[] movedLengths = new int[length];
    long[] movedIds = new long[length];
    int drop = size - keep;
    for (int i = 0; i < size; i++) {
      int slot = (start + i) % offsets.length;
      if (i < drop) {
        used -= lengths[slot];
        keepGone(ids[slot], firstSeq() + i);
      } else {
        movedOffsets[i - drop] = offsets[slot];
        movedLengths[i - drop] = lengths[slot];
        movedIds[i - drop] = ids[slot];
      }
    }
    offsets = movedOffsets;
    lengths = movedLengths;
    ids = movedIds;
    start = 0;
    size = keep;
  }

  List<String> all() {
    return slice(firstSeq(), lastSeq);
  }

  static MessageRing restore(int capacity, long lastSeq, List<String> messages) {
    return restore(capacity, lastSeq, messages, new long[messages.size()]);
  }

  static MessageRing restore(int capacity, long lastSeq, List<String> messages, long[] ids) {
    return restore(capacity, lastSeq, messages, ids, null);
  }

  /** A ring holding {@code messages} up to {@code lastSeq}, and {@code gone} (null: none) as the ids let go of. */
  static MessageRing restore(int capacity, long lastSeq, List<String> messages, long[] ids, GoneIds gone) {
    MessageRing ring = new MessageRing(Math.max(capacity, messages.size()), lastSeq - messages.size());
    for (int i = 0; i < messages.size(); i++) {
      ring.append(messages.get(i), ring.capacity, ids[i]);
    }
    ring.gone = gone;
    return ring;
  }

  /** The ids let go of lately; null when none. */
  GoneIds gone() {
    return gone;
  }
}
