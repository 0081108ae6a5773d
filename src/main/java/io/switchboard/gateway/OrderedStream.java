package io.switchboard.gateway;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import io.switchboard.room.EncodedFrame;
import java.util.function.BiConsumer;

/**
 * Puts one room's messages back into seq order on this gateway instance (DESIGN property 1).
 * Messages reach a node over several connections, so seq n+2 can arrive before n+1: it is held,
 * and when n+1 has not come within {@link #GAP_WAIT_MS} it is read from the room's log. Runs on
 * the gateway's event loop only.
 */
final class OrderedStream {

  static final long GAP_WAIT_MS = 150;
  /**
   * A gap read that failed (the room's partition moving, the cluster stalled) waits twice as long
   * before the next, up to this: every stream holding frames on every node would otherwise read
   * a failing cluster every 150 ms.
   */
  static final long MAX_GAP_WAIT_MS = 5_000;
  /** A failed catch-up read is asked again this many times, after 1, 2, 4 and 8 s. */
  static final int CATCH_UP_TRIES = 4;
  static final long CATCH_UP_PAUSE_MS = 1_000;
  /**
   * Delivered frames kept for sessions whose join answered an older seq (it was on its way while
   * these went by): a join's round trip, generously. Longer gaps are read from the room's log.
   * Every frame kept here outlives a young GC and is copied by it: 256 per room were a third of
   * the copying at 20 000 publishes/s into 100 rooms.
   */
  static final int RECENT = 64;
  /**
   * And at most these bytes (the newest always stays): 64 frames of 64 KiB were 4 MiB per room
   * and event loop, held for good, for anyone who wrote 64 large messages into each of their 500
   * rooms. A join older than the window reads the log.
   */
  static final long RECENT_BYTES = 512 * 1024;
  private static final int MAX_HELD = 10_000;
  /** Bytes held back per stream: 128 frames of the largest size, a gap read's worth of small ones. */
  static final long MAX_HELD_BYTES = 8L << 20;
  private static final int LEFT_EPOCHS = 4;
  /** How far below its first message a conversation's new stream looks for missed ones. */
  static final int LOOK_BACK = 16;

  private final Vertx vertx;
  private final String room;
  private final LogReader log;
  private final BiConsumer<Long, EncodedFrame> sink;
  private final HeldFrames held;
  private final RecentFrames recent = new RecentFrames(RECENT, RECENT_BYTES);
  private String epoch;
  /** Before the start: the log of the frames held (those of one log only), null when none said. */
  private String heldEpoch;
  private int epochChanges;
  /** The last logs this stream left for a new one (epochs are random: none comes back). */
  private final java.util.ArrayDeque<String> leftEpochs = new java.util.ArrayDeque<>(LEFT_EPOCHS);
  private long cursor = -1;
  private long gapTimer = -1;
  /** Messages one read of the log asks for. */
  private static final int READ_PAGE = 100;
  private boolean filling;
  /** A catch-up asked for while a read was under way: done when it completes. */
  private boolean catchUpAgain;
  /**
   * A conversation's stream began after what it gathered first (see {@link #startAfterHold}):
   * seqs at or below this were never delivered by it, -1 for a room's stream (a join set its
   * start). What comes later from below it is late, not old: delivered as it comes.
   */
  private long startedAfter = -1;
  /** The late seqs from below {@link #startedAfter} delivered already (a few; oldest dropped). */
  private java.util.ArrayDeque<Long> lateDelivered;
  /** Catch-up reads that failed in a row (partitions still moving after a node died). */
  private int catchUpFailures;
  /** Gap reads that failed in a row: the next one waits longer ({@link #gapWait}). */
  private int gapFailures;
  private boolean closed;
  /** Told when the room's log restarted under a new epoch (see {@link #offer}). */
  private Runnable onEpochReset = () -> { };
  /** When a frame last came (monotonic): a conversation quiet for long enough is let go (RoomStreams). */
  private long lastOffer = io.switchboard.ops.Clocks.monotonicMillis();

  OrderedStream(Vertx vertx, String room, LogReader log, BiConsumer<Long, EncodedFrame> sink) {
    this(vertx, room, log, sink, HeldBudget.unbounded());
  }

  /** {@code loop}: what this event loop's streams may hold back together for gaps. */
  OrderedStream(Vertx vertx, String room, LogReader log, BiConsumer<Long, EncodedFrame> sink, HeldBudget loop) {
    this.vertx = vertx;
    this.room = room;
    this.log = log;
    this.sink = sink;
    this.held = new HeldFrames(MAX_HELD, MAX_HELD_BYTES, loop);
  }

  /** The epoch of the log this stream follows; null before it started. */
  String epoch() {
    return epoch;
  }

  /**
   * How many times the stream took up a log (its start, and each restart): an answer read after
   * this number was taken is newer than what the stream follows; one read before it may not be.
   */
  int epochChanges() {
    return epochChanges;
  }

  void onEpochReset(Runnable action) {
    this.onEpochReset = action;
  }

  /** The bytes of the frames held back for a gap (tests). */
  long heldBytes() {
    return held.bytes();
  }

  /** Started, nothing held back, no read of the log under way: closing it loses nothing. */
  boolean idleSince(long since) {
    return cursor >= 0 && held.isEmpty() && !filling && lastOffer <= since;
  }

  /** The last seq handed to the sink; -1 until {@link #start} gave the starting point. */
  long cursor() {
    return cursor;
  }

  boolean started() {
    return cursor >= 0;
  }

  /** Sets where delivery starts (the seq a join answered), once; what was held meanwhile follows. */
  void start(long afterSeq, String epoch) {
    if (cursor >= 0) {
      return;
    }
    this.epoch = epoch;
    epochChanges++;
    cursor = afterSeq;
    if (heldEpoch != null && !heldEpoch.equals(epoch)) {
      held.clear(); // frames of another log than the one the stream starts on (a gap read brings this one's)
    }
    heldEpoch = null;
    held.dropThrough(afterSeq);
    drain();
  }

  /**
   * Starts a stream that has no join to tell where it begins (a conversation): what arrives
   * within {@link #GAP_WAIT_MS} is gathered first, so that two messages that crossed on the way
   * are still delivered in seq order, then delivery starts below the lowest of them.
   */
  void startAfterHold(String epoch) {
    startAfterHold(epoch, null);
  }

  /**
   * As above, and first looks in the log, up to {@link #LOOK_BACK} seqs below the lowest message
   * gathered, for those {@code missed} says came while this stream's users were here (stored
   * after they connected): delivered first, from the oldest such on. A message that a node stored
   * and never sent (it died, or dropped it on the way) came as no gap to a stream that did not
   * exist yet, and the stream began after it: nothing read it ever again. Null: none is looked for.
   */
  void startAfterHold(String epoch, java.util.function.Predicate<String> missed) {
    if (cursor >= 0 || gapTimer >= 0 || filling) {
      return;
    }
    gapTimer = vertx.setTimer(GAP_WAIT_MS, t -> {
      gapTimer = -1;
      if (closed || cursor >= 0 || held.isEmpty()) {
        return;
      }
      long first = held.firstKey();
      if (missed == null || first <= 1) {
        startBelowHeld(epoch);
        return;
      }
      filling = true;
      long from = Math.max(0, first - 1 - LOOK_BACK);
      log.after(room, from, (int) (first - 1 - from)).onComplete(ar -> {
        filling = false;
        if (closed || cursor >= 0) {
          return;
        }
        if (ar.succeeded() && !ar.result().ofAnotherLogThan(heldEpoch != null ? heldEpoch : epoch)) {
          holdMissed(ar.result(), first, missed);
        }
        startBelowHeld(epoch); // a failed read: as without the look (the stream must start)
      });
    });
  }

  /**
   * Holds the page's messages below {@code below} from the first one {@code missed} names on:
   * all of those, so that the stream starts with no gap to fill from the log (a gap read would
   * bring back the ones stored before the users came). Not what was held already.
   */
  private void holdMissed(LogPage page, long below, java.util.function.Predicate<String> missed) {
    long seq = page.firstSeq();
    boolean found = false;
    for (String m : page.messages()) {
      if (seq >= below) {
        break;
      }
      found = found || missed.test(m);
      if (found) {
        held.putIfAbsent(seq, EncodedFrame.of(m));
      }
      seq++;
    }
  }

  private void startBelowHeld(String epoch) {
    if (held.isEmpty()) {
      return;
    }
    startedAfter = held.firstKey() - 1;
    start(startedAfter, heldEpoch != null ? heldEpoch : epoch); // the log of what it gathered: the latest to come
  }

  /**
   * Reads the log for anything after the cursor: after a node died, the messages it stored but
   * could not send would otherwise only show up as a gap once the next message came.
   */
  void catchUp() {
    catchUpFailures = 0; // a new reason to read (another node died): the retries start over
    read();
  }

  private void read() {
    if (closed || cursor < 0) {
      return;
    }
    if (filling) {
      catchUpAgain = true; // another node died while a read was under way: read once more after it
      return;
    }
    filling = true;
    String readFrom = epoch;
    log.after(room, cursor, READ_PAGE).onComplete(ar -> {
      filling = false;
      if (closed) {
        return;
      }
      // a log that restarted during the read: what was read may be the old one's, by the same seqs
      if (ar.succeeded() && java.util.Objects.equals(readFrom, epoch) && ofThisLog(ar.result())) {
        catchUpFailures = 0;
        long seq = ar.result().firstSeq();
        if (!ar.result().messages().isEmpty() && seq > cursor + 1) {
          // else the same page, held and never delivered, would be read again and again
          skipLost(seq);
        }
        for (String m : ar.result().messages()) {
          offer(seq++, EncodedFrame.of(m), null);
        }
        if (ar.result().more()) {
          // more after this page (a node that missed hundreds): no later message need come to
          // show the rest. A gap's pause apart, not at once: each page goes to every member,
          // and back to back they would add up past limits.outboundBytes
          vertx.setTimer(GAP_WAIT_MS, t -> read());
        }
      } else if (ar.failed() && catchUpFailures < CATCH_UP_TRIES) {
        // read while the dead node's partitions move: a conversation has nothing else to read
        // it again until its next message (a room has reconciliation's check, 15 s later)
        long pause = CATCH_UP_PAUSE_MS << catchUpFailures++;
        // spread: every stream of every node read at the same moment, and would again
        vertx.setTimer(pause + java.util.concurrent.ThreadLocalRandom.current().nextLong(pause / 2 + 1), t -> read());
      }
      afterRead();
    });
  }

  /**
   * Whether a page read after this stream's cursor is of the log it follows. Not when the room's
   * log restarted (owner and backup lost together) and no frame of the new one came yet: its
   * messages, after the old log's cursor, would go out under seqs that mean nothing to the
   * clients, and those before the cursor never. The stream follows the new log from where it
   * ends, as a live frame of it would have it do: its members are held and told of it by a
   * fresh join, with its history. A page of a log the stream left is dropped.
   */
  boolean ofThisLog(LogPage page) {
    if (!page.ofAnotherLogThan(epoch)) {
      return true;
    }
    if (!leftEpochs.contains(page.epoch())) {
      restart(page.epoch(), page.lastSeq());
    }
    return false;
  }

  /**
   * {@link #catchUp}, unless the log ends where this stream is ({@code epoch}, {@code seq}: read
   * after a node died). Every stream of every node read at once when any node died, a read per
   * room per event loop, and nearly all of them found nothing. Nor when the log is another one
   * (it began again): read after this stream's cursor, its messages would go out under the old
   * log's seqs; its first live frame restarts the stream instead.
   */
  void catchUpUnlessAt(String epoch, long seq) {
    boolean another = epoch != null && !epoch.isEmpty() && this.epoch != null && !epoch.equals(this.epoch);
    if (another || (cursor >= 0 && cursor >= seq && java.util.Objects.equals(epoch, this.epoch))) {
      return;
    }
    catchUp();
  }

  /**
   * Follows the room's log when it is another one than this stream's ({@code epoch}, {@code seq}:
   * where it ends, read by reconciliation): a split brain healed, or the log was lost and began
   * again, and no message came since. Otherwise only the room's next message would tell, which in
   * a quiet room may be never, and until then its members' lists and seqs stay those of the old
   * log. Only a stream to which nothing came since {@code quietSince}: one that goes on receiving
   * learns of a new log from its frames, and the read may be older than the epoch it follows now
   * (which would send it back to a log it never followed). A log it has left is ignored too.
   */
  void restartIfAnother(String epoch, long seq, long quietSince) {
    if (cursor >= 0 && this.epoch != null && epoch != null && !epoch.isEmpty() && !epoch.equals(this.epoch)
        && !leftEpochs.contains(epoch) && lastOffer <= quietSince) {
      restart(epoch, seq);
    }
  }

  /**
   * Reads the log when it ended past this stream ({@code epoch}, {@code seq}: read by
   * reconciliation) and nothing came since {@code quietSince}: a gap shows only when a later
   * frame arrives, so a lost delivery of a quiet room's last message was never read. Streams that
   * hold frames, read already, or go on receiving are left to their gap reads.
   */
  void catchUpIfBehind(String epoch, long seq, long quietSince) {
    if (cursor >= 0 && cursor < seq && held.isEmpty() && !filling && lastOffer <= quietSince
        && java.util.Objects.equals(epoch, this.epoch)) {
      catchUp();
    }
  }

  /**
   * A frame that arrived out of order during a read armed no gap timer (a read was under way):
   * drained here, so that it does not wait for the room's next message.
   */
  private void afterRead() {
    drain();
    if (catchUpAgain) {
      catchUpAgain = false;
      catchUp();
    }
  }

  void offer(long seq, EncodedFrame frame, String epoch) {
    if (closed) {
      return;
    }
    if (epoch != null && leftEpochs.contains(epoch)) {
      return; // late from a log this stream has left: taken for a restart, it would go back to it
    }
    lastOffer = io.switchboard.ops.Clocks.monotonicMillis();
    if (cursor < 0 && epoch != null) {
      if (heldEpoch != null && !epoch.equals(heldEpoch)) {
        held.clear(); // the log changed before the stream began: what the older one sent would go out as the newer's
      }
      heldEpoch = epoch;
    }
    if (cursor >= 0 && epoch != null && this.epoch != null && !epoch.equals(this.epoch)) {
      // the room's log was lost and restarted: its seqs start again from 1
      restart(epoch, seq - 1);
    }
    if (cursor >= 0 && seq <= cursor) {
      if (seq <= startedAfter) {
        deliverLate(seq, frame);
      }
      return;
    }
    if (cursor >= 0 && seq == cursor + 1 && held.isEmpty()) {
      deliver(seq, frame); // the common case, in order with nothing held: no sorted map in and out
    } else {
      held.put(seq, frame);
    }
    if (cursor >= 0) {
      drain();
    }
  }

  /**
   * A conversation's message from before where its stream began, that crossed a later one on the
   * way here by more than the stream's first wait: PROTOCOL.md has every connection of both users
   * receive every private message, so it is delivered, out of order, rather than lost.
   */
  private void deliverLate(long seq, EncodedFrame frame) {
    if (lateDelivered == null) {
      lateDelivered = new java.util.ArrayDeque<>();
    } else if (lateDelivered.contains(seq)) {
      return;
    }
    if (lateDelivered.size() == 16) {
      lateDelivered.pollFirst();
    }
    lateDelivered.addLast(seq);
    sink.accept(seq, frame);
  }

  /**
   * Follows the room's log that restarted under {@code epoch}, from after {@code afterSeq}: a live
   * frame of it came ({@link #offer}), or a join answered from it before any frame did.
   */
  void restart(String epoch, long afterSeq) {
    if (leftEpochs.size() == LEFT_EPOCHS) {
      leftEpochs.pollFirst();
    }
    leftEpochs.addLast(this.epoch);
    leftEpochs.remove(epoch); // going back to a log left before: a fresh answer says it is the room's again
    this.epoch = epoch;
    epochChanges++;
    held.clear();
    // the recent frames are the old log's: a member resumed after a new-log seq must not get them
    recent.clear();
    cursor = afterSeq;
    startedAfter = -1; // the new log's seqs start again: none of them is late from before
    lateDelivered = null;
    onEpochReset.run();
  }

  /** Messages after {@code afterSeq} already delivered, if all are still in the recent window. */
  List<EncodedFrame> recentAfter(long afterSeq) {
    return recent(afterSeq, Long.MAX_VALUE);
  }

  /** As {@link #recentAfter}, up to {@code throughSeq} only. */
  List<EncodedFrame> recent(long afterSeq, long throughSeq) {
    if (afterSeq >= Math.min(cursor, throughSeq)) {
      return List.of();
    }
    return recent.between(afterSeq, throughSeq);
  }

  void close() {
    closed = true;
    held.clear();
    recent.release();
    if (gapTimer >= 0) {
      vertx.cancelTimer(gapTimer);
    }
  }

  private void drain() {
    while (!held.isEmpty() && held.firstKey() == cursor + 1) {
      Map.Entry<Long, EncodedFrame> next = held.pollFirst();
      deliver(next.getKey(), next.getValue());
    }
    if (held.isEmpty()) {
      if (gapTimer >= 0) {
        vertx.cancelTimer(gapTimer);
        gapTimer = -1;
      }
    } else if (gapTimer < 0 && !filling) {
      gapTimer = vertx.setTimer(gapWait(gapFailures), t -> {
        gapTimer = -1;
        fillGap();
      });
    }
  }

  /** The wait before a gap read after {@code failures} failed ones in a row. */
  static long gapWait(int failures) {
    return doubled(GAP_WAIT_MS, failures, MAX_GAP_WAIT_MS);
  }

  /** {@code baseMs} doubled {@code times} times, at most {@code maxMs}: the wait after failed reads in a row. */
  static long doubled(long baseMs, int times, long maxMs) {
    return Math.min(maxMs, baseMs << Math.min(times, 16));
  }

  private void deliver(long seq, EncodedFrame frame) {
    cursor = seq;
    recent.add(seq, frame);
    sink.accept(seq, frame);
  }

  /**
   * What is missing is no longer retained: skips to what the log still has ({@code firstKept})
   * or to the first held frame, whichever comes first. Never back: a cursor moved below what was
   * delivered would deliver nothing again.
   */
  private void skipLost(long firstKept) {
    long resume = held.isEmpty() ? firstKept : Math.min(firstKept, held.firstKey());
    cursor = Math.max(cursor, resume - 1);
  }

  private void fillGap() {
    if (closed || held.isEmpty()) {
      return;
    }
    filling = true;
    long missing = held.firstKey() - cursor - 1;
    String readFrom = epoch;
    log.after(room, cursor, (int) Math.min(READ_PAGE, Math.max(1, missing)))
        .onComplete(ar -> {
          filling = false;
          if (closed) {
            return;
          }
          gapFailures = ar.failed() ? gapFailures + 1 : 0;
          if (ar.succeeded() && java.util.Objects.equals(readFrom, epoch) && ofThisLog(ar.result())) { // as in catchUp
            long seq = ar.result().firstSeq();
            List<String> messages = ar.result().messages();
            if ((seq > cursor + 1 || messages.isEmpty()) && !held.isEmpty()) {
              // the gap cannot be filled; with nothing in the log (its entry lost: the read
              // answers seq 0), to the held frames
              skipLost(messages.isEmpty() ? Long.MAX_VALUE : seq);
            }
            for (String m : messages) {
              if (seq == cursor + 1) {
                held.remove(seq);
                deliver(seq, EncodedFrame.of(m));
              }
              seq++;
            }
          }
          afterRead();
        });
  }
}
