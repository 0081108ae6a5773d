package io.switchboard.gateway;

import java.util.ArrayDeque;

/** Counts refusals in a sliding window: {@code max} within {@code windowMs} means abuse. */
final class RefusalWindow {

  private final int max;
  private final long windowMs;
  private final ArrayDeque<Long> times = new ArrayDeque<>();

  RefusalWindow(int max, long windowMs) {
    this.max = max;
    this.windowMs = windowMs;
  }

  /** A copy, for a connection that goes on from this one's ({@link SpentLimits}). */
  RefusalWindow copy() {
    RefusalWindow copy = new RefusalWindow(max, windowMs);
    copy.times.addAll(times);
    return copy;
  }

  /** A fresh window of the same size. */
  RefusalWindow empty() {
    return new RefusalWindow(max, windowMs);
  }

  /** When the refusals recorded so far have all left the window (0: none recorded). */
  long emptyAt() {
    return times.isEmpty() ? 0 : times.peekLast() + windowMs;
  }

  /** Records a refusal; true when it makes {@code max} within the window. */
  boolean record(long nowMillis) {
    times.addLast(nowMillis);
    while (!times.isEmpty() && times.peekFirst() <= nowMillis - windowMs) {
      times.pollFirst();
    }
    if (times.size() > max) {
      times.pollFirst();
    }
    return times.size() >= max;
  }
}
