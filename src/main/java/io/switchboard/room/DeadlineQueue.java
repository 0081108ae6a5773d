package io.switchboard.room;

import io.switchboard.ops.Clocks;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;

/**
 * The deadlines of one context's requests that all wait the same time, in one queue with one
 * timer: the queue is in deadline order because every request waits as long, so the timer only
 * ever waits for the oldest request still open. A Vert.x timer per request (set, then cancelled
 * a millisecond later when the cluster answered) was 2.3 % of the server's CPU at 20 000
 * publishes a second. Confined to its context, but {@link Entry#cancel} may come from any thread.
 */
final class DeadlineQueue {

  private final Vertx vertx;
  private final long waitMs;
  private final ArrayDeque<Entry> open = new ArrayDeque<>();
  private long timer = -1;

  DeadlineQueue(Vertx vertx, long waitMs) {
    this.vertx = vertx;
    this.waitMs = waitMs;
  }

  /** A deadline that may be called off. */
  interface Deadline {
    /** The request was answered: its deadline does nothing, and lets go of what it would have run. */
    void cancel();
  }

  /**
   * Runs {@code onDue} on the calling context {@code waitMs} from now, unless cancelled first: in
   * the context's queue that {@code key} names, or where there is none ({@link #of}) with a Vert.x
   * timer of its own.
   */
  static Deadline schedule(Vertx vertx, Object key, long waitMs, Runnable onDue) {
    DeadlineQueue queue = of(vertx, Vertx.currentContext(), key, waitMs);
    if (queue != null) {
      return queue.add(onDue);
    }
    long timer = vertx.setTimer(waitMs, t -> onDue.run());
    return () -> vertx.cancelTimer(timer);
  }

  /**
   * The queue that {@code key} names in {@code context}'s data, for waits of {@code waitMs}, made
   * at its first use. Null (no queue: a timer each) but on {@code vertx}'s event
   * loop: a worker thread, even one of this context's, may run beside the loop (executeBlocking),
   * and another Vert.x instance's timer would fire on a thread of its own.
   */
  static DeadlineQueue of(Vertx vertx, Context context, Object key, long waitMs) {
    if (context == null || !context.isEventLoopContext() || !Context.isOnEventLoopThread()
        || context.owner() != vertx) {
      return null;
    }
    DeadlineQueue queue = context.get(key);
    if (queue == null) {
      queue = new DeadlineQueue(vertx, waitMs);
      context.put(key, queue);
    }
    return queue;
  }

  /** Runs {@code onDue} on this context {@code waitMs} from now, unless cancelled first. */
  Entry add(Runnable onDue) {
    // answered requests at the head go now: the queue holds about what is in flight, not every
    // request of the last waitMs (those would outlive young collections, and be copied by them)
    while (!open.isEmpty() && open.peekFirst().answered()) {
      open.pollFirst();
    }
    Entry entry = new Entry(Clocks.monotonicMillis() + waitMs, onDue);
    open.addLast(entry);
    if (timer < 0) {
      timer = vertx.setTimer(waitMs, t -> expire());
    }
    return entry;
  }

  /** Open entries, answered ones not yet dropped included (for tests). */
  int size() {
    return open.size();
  }

  private void expire() {
    timer = -1;
    long now = Clocks.monotonicMillis();
    Entry head;
    while ((head = open.peekFirst()) != null && (head.answered() || head.dueAt <= now)) {
      open.pollFirst();
      Runnable onDue = head.onDue;
      if (onDue != null) {
        onDue.run();
      }
    }
    if (head != null) {
      timer = vertx.setTimer(Math.max(1, head.dueAt - now), t -> expire());
    }
  }

  /** One request's deadline. */
  static final class Entry implements Deadline {
    final long dueAt;
    /** Null once answered: may be set so from any thread. */
    private volatile Runnable onDue;

    Entry(long dueAt, Runnable onDue) {
      this.dueAt = dueAt;
      this.onDue = onDue;
    }

    @Override
    public void cancel() {
      onDue = null;
    }

    boolean answered() {
      return onDue == null;
    }
  }
}
