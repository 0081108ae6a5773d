package io.switchboard.gateway;

import io.switchboard.protocol.Command;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A session's frames, one after the other: each frame's step starts once every earlier one has
 * finished and the socket has drained, so a join, a publish and a leave of the same connection
 * take effect in the order they were sent. While steps wait, the socket reads on up to
 * {@link #MAX_QUEUED} frames (or {@link #MAX_QUEUED_CHARS} of their text) and then stops: TCP
 * pushes back on the client, and the frames it sends wait in the kernel, not in the heap.
 * Event-loop confined, as its session.
 */
final class SessionSteps {

  /** Frames waiting or in flight before the socket stops reading (TCP then pushes back). */
  static final int MAX_QUEUED = 64;
  /**
   * Or their text, in chars: a frame waits parsed, and a 64 KiB frame of small JSON objects is
   * over a megabyte of heap, so 64 of them held for a stalled step were 80 MB per connection.
   * The frame that passes it still waits (one frame of maxFrameBytes always can).
   */
  static final int MAX_QUEUED_CHARS = 128 * 1024;
  /**
   * A waiting frame's {@code data} is a tree of JSON objects: up to some twenty bytes of heap for
   * each char of it (an empty object is three chars on the wire, sixty bytes held), against two
   * for a text. Counted eight times over, two such frames of maxFrameBytes no longer wait whole.
   */
  static final int DATA_WEIGHT = 8;
  /** Publishes stored by one operation at most (see {@link #enqueuePublish}). */
  static final int MAX_BATCH = 32;

  /** What the steps need of their session. */
  interface Session {
    /** The node ended the connection, or it closed: what is still queued is not done. */
    boolean ended();

    /** Resolves once the socket has sent enough of what it holds for the next step to run. */
    Future<Void> drained();

    /** Stops ({@code true}) or lets go again ({@code false}) the socket's reading, for the queue's sake. */
    void holdReading(boolean held);

    /** A step threw: a defect of the node, not of the frame. */
    void failed(RuntimeException e);
  }

  private final Session session;
  private Future<Void> tail = Future.succeededFuture();
  /** The publishes of the step enqueued last, while that step waits: later ones to its room join them. */
  private List<Command.Publish> openBatch;
  /** {@link #openBatch}'s frames. */
  private Frames openFrames;
  /** When the frames of the step now running were read (one, or a batch's each), on the monotonic clock. */
  private List<Long> arrivals = List.of();
  private int queued;
  private long queuedChars;
  private boolean paused;

  SessionSteps(Session session) {
    this.session = session;
  }

  /** What a waiting frame counts against {@link #MAX_QUEUED_CHARS}. */
  static int queuedCost(String text, Command command) {
    boolean data = command instanceof Command.Publish p && p.data() != null
        || command instanceof Command.Private q && q.data() != null;
    return data ? (int) Math.min(Integer.MAX_VALUE, (long) DATA_WEIGHT * text.length()) : text.length();
  }

  /** Runs {@code step} after every earlier frame's step has finished. */
  void enqueue(Supplier<Future<Void>> step) {
    enqueue(0, step);
  }

  /** As {@link #enqueue(Supplier)}, for a frame of {@code chars} chars that waits with it. */
  void enqueue(int chars, Supplier<Future<Void>> step) {
    openBatch = null;
    enqueue(step, new Frames(chars));
  }

  /**
   * Runs {@code step} with this publish after every earlier frame's step has finished, like
   * {@link #enqueue}; but while it waits, later publishes to the same room join it (up to
   * {@link #MAX_BATCH}), in their order. After any pause (the network's, the client's or the
   * server's), a connection's queued publishes are then stored by one operation, not one round
   * trip to the cluster each: the queue drains at once instead of lengthening every later wait.
   */
  void enqueuePublish(Command.Publish publish, int chars, Function<List<Command.Publish>, Future<Void>> step) {
    List<Command.Publish> open = openBatch;
    if (open != null && open.size() < MAX_BATCH && open.get(0).room().equals(publish.room())) {
      open.add(publish);
      openFrames.add(chars);
      countQueued(chars);
      return;
    }
    List<Command.Publish> batch = new ArrayList<>();
    batch.add(publish);
    Frames frames = new Frames(chars);
    openBatch = batch;
    openFrames = frames;
    enqueue(() -> {
      if (openBatch == batch) {
        openBatch = null;
      }
      return step.apply(batch);
    }, frames);
  }

  /**
   * When the {@code i}th frame of the step now running was read. A publish takes its token on
   * this clock, not when its step runs: after a stalled step, the frames queued behind it run
   * back to back, and a client that kept to its rate must not find its bucket empty then.
   */
  long arrivedAt(int i) {
    return i < arrivals.size() ? arrivals.get(i) : io.switchboard.ops.Clocks.monotonicMillis();
  }

  /** True while the queue holds the socket's reading back (see {@link #MAX_QUEUED}). */
  boolean holding() {
    return paused;
  }

  /** {@code frames}: the step's, which a batch adds to while it waits. */
  private void enqueue(Supplier<Future<Void>> step, Frames frames) {
    countQueued(frames.chars);
    // once the node ended the connection, what it still queued is not done: its publishes
    // would be stored and fanned out with no ack to a client already told to go
    tail = tail.transform(ignored -> session.drained()).transform(ignored -> {
      arrivals = frames.arrivals;
      return session.ended() ? Future.<Void>succeededFuture() : safely(step);
    })
        .andThen(ignored -> {
          queued -= frames.arrivals.size();
          queuedChars -= frames.chars;
          if (paused && queued <= MAX_QUEUED / 2 && queuedChars <= MAX_QUEUED_CHARS / 2) {
            paused = false;
            session.holdReading(false);
          }
        });
  }

  private void countQueued(int chars) {
    queued++;
    queuedChars += chars;
    if ((queued >= MAX_QUEUED || queuedChars >= MAX_QUEUED_CHARS) && !paused) {
      paused = true;
      session.holdReading(true);
    }
  }

  /**
   * A step that throws is a defect of the node, not of the frame: the session hears of it (it
   * logs and closes the connection). Swallowed, it left the frame (a batch of up to 32
   * publishes) without an answer and the node's log without a word.
   */
  private Future<Void> safely(Supplier<Future<Void>> step) {
    try {
      return step.get();
    } catch (RuntimeException e) {
      session.failed(e);
      return Future.succeededFuture();
    }
  }

  /** A step's frames: when each was read, and their text in chars; a batch's grow while it waits. */
  private static final class Frames {
    final List<Long> arrivals = new ArrayList<>(1);
    int chars;

    Frames(int chars) {
      add(chars);
    }

    void add(int frameChars) {
      arrivals.add(io.switchboard.ops.Clocks.monotonicMillis());
      chars += frameChars;
    }
  }
}
