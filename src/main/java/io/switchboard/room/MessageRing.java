package io.switchboard.room;

import java.util.ArrayList;
import java.util.List;

/**
 * The retained tail of a room's log: the latest {@code capacity} encoded messages, addressed by
 * seq. Messages are contiguous, so the seq of every retained message follows from the last one.
 */
final class MessageRing {

  private String[] slots;
  private int start;
  private int size;
  private long lastSeq;

  MessageRing(int capacity, long lastSeq) {
    this.slots = new String[capacity];
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

  void append(String message, int capacity) {
    if (capacity != slots.length) {
      resize(capacity);
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
    List<String> kept = slice(Math.max(firstSeq(), lastSeq - capacity + 1), lastSeq);
    slots = new String[capacity];
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
    messages.forEach(m -> ring.append(m, ring.slots.length));
    return ring;
  }
}
