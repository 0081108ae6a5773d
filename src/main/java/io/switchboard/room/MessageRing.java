package io.switchboard.room;

import java.util.ArrayList;
import java.util.List;

/**
 * The retained tail of a room's log: the latest {@code capacity} encoded messages, addressed by
 * seq. Messages are contiguous, so the seq of every retained message follows from the last one.
 * The slots grow with the log, doubling up to the capacity: most rooms never fill it, and a
 * full-size array up front was 4 KiB per room (a tenth of an idle node's heap in rooms of ten).
 */
final class MessageRing {

  private static final int FIRST_SLOTS = 16;

  private String[] slots;
  private int capacity;
  private int start;
  private int size;
  private long lastSeq;

  MessageRing(int capacity, long lastSeq) {
    this.capacity = capacity;
    this.slots = new String[Math.min(capacity, FIRST_SLOTS)];
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
    return slots.length;
  }

  void append(String message, int capacity) {
    if (capacity != this.capacity) {
      resize(capacity);
    } else if (size == slots.length && size < capacity) {
      relocate(Math.min(capacity, size * 2), all());
    }
    if (size == slots.length) {
      slots[start] = message;
      start = (start + 1) % slots.length;
    } else {
      slots[(start + size) % slots.length] = message;
      size++;
    }
    lastSeq++;
  }

  /** Retained messages with {@code from <= seq <= to}, oldest first. */
  List<String> slice(long from, long to) {
    long lo = Math.max(from, firstSeq());
    long hi = Math.min(to, lastSeq);
    List<String> out = new ArrayList<>((int) Math.max(0, hi - lo + 1));
    for (long seq = lo; seq <= hi; seq++) {
      out.add(slots[(int) ((start + (seq - firstSeq())) % slots.length)]);
    }
    return out;
  }

  private void resize(int capacity) {
    this.capacity = capacity;
    List<String> kept = slice(Math.max(firstSeq(), lastSeq - capacity + 1), lastSeq);
    relocate(Math.min(capacity, Math.max(FIRST_SLOTS, kept.size() * 2)), kept);
  }

  /** New slots of {@code length}, holding {@code kept} (oldest first) from the start. */
  private void relocate(int length, List<String> kept) {
    slots = new String[length];
    start = 0;
    size = kept.size();
    for (int i = 0; i < size; i++) {
      slots[i] = kept.get(i);
    }
  }

  List<String> all() {
    return slice(firstSeq(), lastSeq);
  }

  static MessageRing restore(int capacity, long lastSeq, List<String> messages) {
    MessageRing ring = new MessageRing(Math.max(capacity, messages.size()), lastSeq - messages.size());
    messages.forEach(m -> ring.append(m, ring.capacity));
    return ring;
  }
}
