package io.switchboard.gateway;

import io.switchboard.room.EncodedFrame;
import java.util.Map;
import java.util.TreeMap;

/**
 * The frames an {@link OrderedStream} holds back, by seq, until the gap before them is filled:
 * bounded by count and by bytes. Bounded by count alone, a room flooded with large messages
 * while a gap read was away (up to 5 s) held 10 000 frames of up to 64 KiB each, per room and
 * event loop. Past either bound the lowest frames go: the gap read then brings them from the
 * room's log, as it brings the ones that never came.
 */
final class HeldFrames {

  private final TreeMap<Long, EncodedFrame> frames = new TreeMap<>();
  private final int maxFrames;
  private final long maxBytes;
  /** What the event loop's streams hold together ({@link HeldBudget}). */
  private final HeldBudget loop;
  private long bytes;

  HeldFrames(int maxFrames, long maxBytes) {
    this(maxFrames, maxBytes, HeldBudget.unbounded());
  }

  HeldFrames(int maxFrames, long maxBytes, HeldBudget loop) {
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
    this.loop = loop;
  }

  /** Holds a frame that came live, dropping the lowest ones past the bounds (this one's or the loop's). */
  void put(long seq, EncodedFrame frame) {
    EncodedFrame before = frames.put(seq, frame);
    count(frame.length() - (before == null ? 0 : before.length()));
    while (frames.size() > maxFrames || ((bytes > maxBytes || loop.over()) && frames.size() > 1)) {
      pollFirst();
    }
  }

  /** Holds a frame read from the log unless one is held for its seq (a read's page is bounded already). */
  void putIfAbsent(long seq, EncodedFrame frame) {
    if (frames.putIfAbsent(seq, frame) == null) {
      count(frame.length());
    }
  }

  Map.Entry<Long, EncodedFrame> pollFirst() {
    Map.Entry<Long, EncodedFrame> first = frames.pollFirstEntry();
    if (first != null) {
      count(-first.getValue().length());
    }
    return first;
  }

  void remove(long seq) {
    EncodedFrame gone = frames.remove(seq);
    if (gone != null) {
      count(-gone.length());
    }
  }

  private void count(long delta) {
    bytes += delta;
    loop.bytes += delta;
  }

  /** Drops every frame up to and including {@code seq}. */
  void dropThrough(long seq) {
    while (!frames.isEmpty() && frames.firstKey() <= seq) {
      pollFirst();
    }
  }

  void clear() {
    frames.clear();
    loop.bytes -= bytes;
    bytes = 0;
  }

  boolean isEmpty() {
    return frames.isEmpty();
  }

  long firstKey() {
    return frames.firstKey();
  }

  long bytes() {
    return bytes;
  }
}
