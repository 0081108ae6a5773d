package io.switchboard.gateway;

import io.switchboard.room.EncodedFrame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The frames an {@link OrderedStream} delivered last, for sessions whose join answered an older
 * seq (it was on its way while these went by): a ring of at most {@code maxFrames} and
 * {@code maxBytes} (the newest always stays), in parallel arrays with no box or pair per frame.
 * Quiet rooms never need the whole ring: it doubles as frames go by. Event loop only.
 */
final class RecentFrames {

  private static final int FIRST_SLOTS = 8;

  private final int maxFrames;
  private final long maxBytes;
  private long[] seqs = new long[0];
  private EncodedFrame[] frames = new EncodedFrame[0];
  private int head;
  private int count;
  private long bytes;

  RecentFrames(int maxFrames, long maxBytes) {
    this.maxFrames = maxFrames;
    this.maxBytes = maxBytes;
  }

  /** Keeps {@code frame}, delivered at {@code seq} (above every seq kept), letting the oldest go past the limits. */
  void add(long seq, EncodedFrame frame) {
    if (count == seqs.length && count < maxFrames) {
      grow();
    }
    int slot;
    if (count == seqs.length) {
      slot = head;
      bytes -= frames[slot].length();
      head = (head + 1) % seqs.length;
    } else {
      slot = (head + count) % seqs.length;
      count++;
    }
    seqs[slot] = seq;
    frames[slot] = frame;
    bytes += frame.length();
    while (bytes > maxBytes && count > 1) {
      bytes -= frames[head].length();
      frames[head] = null;
      head = (head + 1) % seqs.length;
      count--;
    }
  }

  /**
   * The frames kept after {@code afterSeq} up to {@code throughSeq}, oldest first; null when some
   * after {@code afterSeq} are no longer kept (the caller reads the log instead).
   */
  List<EncodedFrame> between(long afterSeq, long throughSeq) {
    if (count == 0 || seqs[head] > afterSeq + 1) {
      return null;
    }
    List<EncodedFrame> after = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int slot = (head + i) % seqs.length;
      if (seqs[slot] > afterSeq && seqs[slot] <= throughSeq) {
        after.add(frames[slot]);
      }
    }
    return after;
  }

  /** Forgets every frame, keeping the ring's size (the stream goes on, under another log). */
  void clear() {
    count = 0;
    head = 0;
    bytes = 0;
    Arrays.fill(frames, null);
  }

  /** Forgets every frame and the ring itself (the stream is closed). */
  void release() {
    seqs = new long[0];
    frames = new EncodedFrame[0];
    count = 0;
    head = 0;
    bytes = 0;
  }

  private void grow() {
    int length = Math.min(maxFrames, Math.max(FIRST_SLOTS, seqs.length * 2));
    long[] newSeqs = new long[length];
    EncodedFrame[] newFrames = new EncodedFrame[length];
    for (int i = 0; i < count; i++) {
      int slot = (head + i) % seqs.length;
      newSeqs[i] = seqs[slot];
      newFrames[i] = frames[slot];
    }
    seqs = newSeqs;
    frames = newFrames;
    head = 0;
  }
}
