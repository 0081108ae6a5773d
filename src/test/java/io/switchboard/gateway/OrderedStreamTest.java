package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.room.EncodedFrame;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Ordering and gap filling of one room's stream on a gateway, against a fake room log. */
@ExtendWith(VertxExtension.class)
class OrderedStreamTest {

  private final TreeMap<Long, String> log = new TreeMap<>();
  private final List<Long> logReads = new ArrayList<>();
  private final List<Long> delivered = new ArrayList<>();
  private Context context;

  @BeforeEach
  void setUp(Vertx vertx) {
    context = vertx.getOrCreateContext();
    for (long seq = 1; seq <= 20; seq++) {
      log.put(seq, "m" + seq);
    }
  }

  /**
   * A stream whose sink checks the deliveries once {@code expected} have come (never, for -1) and
   * the stream has then been quiet for a while: a duplicate after the last one fails the test.
   */
  private OrderedStream stream(Vertx vertx, int expected, VertxTestContext test, List<Long> want) {
    return new OrderedStream(vertx, "room", this::readLog, (seq, frame) -> {
      delivered.add(seq);
      test.verify(() -> assertEquals("m" + seq, frame.text(), "the frame of its own seq"));
      if (delivered.size() == expected) {
        afterQuiet(vertx, test, QUIET_MS, () -> assertEquals(want, delivered));
      }
    });
  }

  /** Longer than any gap wait the stream could still have running when the last frame came. */
  private static final long QUIET_MS = 3 * OrderedStream.GAP_WAIT_MS;

  /** Runs the final checks, then completes the test, {@code ms} later: late extra work fails them. */
  private static void afterQuiet(Vertx vertx, VertxTestContext test, long ms, io.vertx.junit5.VertxTestContext.ExecutionBlock checks) {
    vertx.setTimer(ms, t -> {
      test.verify(checks);
      test.completeNow();
    });
  }

  /** Puts seqs {@code from} to {@code to} in the fake log; those seqs, in order. */
  private List<Long> logged(long from, long to) {
    List<Long> seqs = new ArrayList<>();
    for (long seq = from; seq <= to; seq++) {
      log.put(seq, "m" + seq);
      seqs.add(seq);
    }
    return seqs;
  }

  private static EncodedFrame f(String text) {
    return EncodedFrame.of(text);
  }

  private Future<LogPage> readLog(String room, long after, int limit) {
    logReads.add(after);
    List<String> out = new ArrayList<>();
    long first = Math.max(after + 1, log.isEmpty() ? after + 1 : log.firstKey());
    log.subMap(first, true, first + limit - 1, true).values().forEach(out::add);
    return Future.succeededFuture(new LogPage(first, out, !log.isEmpty() && log.lastKey() >= first + out.size()));
  }

  /**
   * Large frames flood a room while its gap (seq 1) is being waited for: the stream holds at most
   * {@link OrderedStream#MAX_HELD_BYTES} of them, not 10 000 frames of any size, and what it let
   * go comes from the log with the gap, so every member still gets each seq once, in order.
   */
  @Test
  void framesHeldForAGapAreBoundedInBytesAndNoneIsLost(Vertx vertx, VertxTestContext test) {
    String big = "x".repeat(60_000);
    int last = 400; // 24 MB live behind the gap
    log.clear();
    for (long seq = 1; seq <= last; seq++) {
      log.put(seq, seq + big);
    }
    context.runOnContext(v -> {
      List<Long> want = new ArrayList<>(log.keySet());
      OrderedStream s = new OrderedStream(vertx, "room", this::readLog, (seq, frame) -> {
        delivered.add(seq);
        test.verify(() -> assertEquals(seq + big, frame.text(), "the frame of its own seq"));
        if (delivered.size() == last) {
          afterQuiet(vertx, test, QUIET_MS, () -> assertEquals(want, delivered));
        }
      });
      s.start(0, "e");
      long most = 0;
      for (long seq = 2; seq <= last; seq++) {
        s.offer(seq, f(seq + big), "e");
        most = Math.max(most, s.heldBytes());
      }
      long held = most;
      test.verify(() -> org.junit.jupiter.api.Assertions.assertTrue(held <= OrderedStream.MAX_HELD_BYTES,
          "held " + held + " bytes"));
    });
  }

  /**
   * After a split brain heals the room's log goes on under a new epoch; a frame of the old one
   * that was late on its way is not a second restart. Before, the stream went back to the old
   * log and held its members there.
   */
  @Test
  void aLateFrameOfALogTheStreamLeftIsDropped(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> test.verify(() -> {
      List<String> resets = new ArrayList<>();
      OrderedStream s = new OrderedStream(vertx, "room", this::readLog, (seq, frame) -> delivered.add(seq));
      s.onEpochReset(() -> resets.add(s.epoch()));
      s.start(0, "e1");
      s.offer(1, f("m1"), "e1");
      s.offer(1, f("m1"), "e2");
      s.offer(7, f("m7"), "e1"); // late, from the log it left
      s.offer(2, f("m2"), "e2");
      assertEquals(List.of("e2"), resets);
      assertEquals("e2", s.epoch());
      assertEquals(List.of(1L, 1L, 2L), delivered);
      s.close();
      test.completeNow();
    }));
  }

  /**
   * The gap's read finds the room's log gone (its entry lost: the read answers firstSeq 0 and no
   * message). The held frame was stored, so it is delivered and the stream goes on; before, the
   * cursor fell to -1 and the room went silent on this node for good.
   */
  @Test
  void aGapReadThatFindsTheLogGoneSkipsToTheHeldFrames(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = new OrderedStream(vertx, "room", (room, after, limit) -> {
        logReads.add(after);
        return Future.succeededFuture(new LogPage(0L, List.<String>of(), false));
      }, (seq, frame) -> {
        delivered.add(seq);
        if (seq == 8) {
          afterQuiet(vertx, test, QUIET_MS, () -> {
            assertEquals(List.of(5L, 7L, 8L), delivered);
            assertEquals(List.of(5L), logReads, "one read of the gap");
          });
        }
      });
      s.start(4, "e");
      s.offer(5, f("m5"), "e");
      s.offer(7, f("m7"), "e"); // 6 never comes, and the log has nothing
      vertx.setTimer(3 * OrderedStream.GAP_WAIT_MS, t -> s.offer(8, f("m8"), "e"));
    });
  }

  @Test
  void inOrderMessagesAreDeliveredAtOnce(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, -1, test, null);
      s.start(0, "e");
      s.offer(1, f("m1"), "e");
      s.offer(2, f("m2"), "e");
      s.offer(3, f("m3"), "e");
      test.verify(() -> assertEquals(List.of(1L, 2L, 3L), delivered, "at once"));
      noLogReadAfterTheGapWait(vertx, test);
    });
  }

  @RepeatedTest(3)
  void aLaterSeqIsHeldUntilTheEarlierOneArrives(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, -1, test, null);
      s.start(0, "e");
      s.offer(1, f("m1"), "e");
      s.offer(3, f("m3"), "e");
      test.verify(() -> assertEquals(List.of(1L), delivered));
      s.offer(2, f("m2"), "e");
      test.verify(() -> assertEquals(List.of(1L, 2L, 3L), delivered));
      noLogReadAfterTheGapWait(vertx, test);
    });
  }

  /** Past three gap waits, no read of the log was made: the gap timer, if armed, has fired by then. */
  private void noLogReadAfterTheGapWait(Vertx vertx, VertxTestContext test) {
    afterQuiet(vertx, test, QUIET_MS, () -> assertEquals(List.of(), logReads, "no log read when nothing was missing"));
  }

  @Test
  void aGapThatStaysOpenIsFilledFromTheLog(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, 5, test, List.of(1L, 2L, 3L, 4L, 5L));
      s.start(0, "e");
      s.offer(1, f("m1"), "e");
      s.offer(5, f("m5"), "e");
      s.offer(4, f("m4"), "e");
    });
  }

  /**
   * A gap read that fails is asked again later each time, not every {@link OrderedStream#GAP_WAIT_MS}:
   * every stream holding frames on every node reads a stalled cluster. Once a read succeeds the
   * gap is filled and nothing is read again.
   */
  @Test
  void failedGapReadsBackOff(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      List<Long> readAt = new ArrayList<>();
      OrderedStream s = new OrderedStream(vertx, "room", (room, after, limit) -> {
        readAt.add(System.nanoTime());
        if (readAt.size() <= 3) {
          return Future.failedFuture(new IllegalStateException("partition migrating"));
        }
        return readLog(room, after, limit);
      }, (seq, frame) -> {
        delivered.add(seq);
        if (delivered.size() == 3) {
          afterQuiet(vertx, test, QUIET_MS, () -> {
            assertEquals(List.of(1L, 2L, 3L), delivered);
            assertEquals(4, readAt.size(), "read until one read succeeded, then no more");
            long lastWaitMs = (readAt.get(3) - readAt.get(2)) / 1_000_000;
            assertTrue(lastWaitMs >= 3 * OrderedStream.GAP_WAIT_MS,
                "the wait after three failures grew (" + lastWaitMs + " ms)");
          });
        }
      });
      s.start(0, "e");
      s.offer(1, f("m1"), "e");
      s.offer(3, f("m3"), "e"); // 2 never comes: read from the log
    });
  }

  /**
   * The recent window keeps at most {@link OrderedStream#RECENT_BYTES} (the newest always): 64
   * large frames were 4 MiB per room and event loop, held for good. Older ones read the log.
   */
  @Test
  void theRecentWindowIsBoundedInBytes(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = new OrderedStream(vertx, "room", this::readLog, (seq, frame) -> { });
      s.start(0, "e");
      String large = "x".repeat(64 * 1024);
      for (long seq = 1; seq <= 64; seq++) {
        s.offer(seq, f(large + seq), "e");
      }
      test.verify(() -> {
        int kept = (int) (OrderedStream.RECENT_BYTES / (64 * 1024));
        assertTrue(s.recentAfter(64 - kept - 1) == null, "older than the window: read from the log");
        List<EncodedFrame> window = s.recentAfter(64 - kept + 1);
        assertEquals(kept - 1, window.size());
        assertEquals(large + 64, window.get(window.size() - 1).text());
        s.offer(65, f("small"), "e");
        assertEquals(List.of("small"), s.recentAfter(64).stream().map(EncodedFrame::text).toList());
      });
      test.completeNow();
    });
  }

  /**
   * The streams of one event loop hold back at most their shared budget together (each keeps
   * its lowest gap's one frame at least): each stream's own 8 MiB let a loop whose router shed
   * frames hold 8 MiB per busy room. What a stream let go comes from the log with the gap.
   */
  @Test
  void theLoopsStreamsHoldTheirSharedBudgetAtMost(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      HeldBudget loop = new HeldBudget(1 << 20);
      List<OrderedStream> streams = new ArrayList<>();
      String large = "x".repeat(64 * 1024);
      for (int r = 0; r < 4; r++) {
        OrderedStream s = new OrderedStream(vertx, "room" + r, (room, after, limit) -> Future.failedFuture("away"),
            (seq, frame) -> { }, loop);
        s.start(0, "e");
        for (long seq = 2; seq <= 20; seq++) { // seq 1 never came: all of them wait for it
          s.offer(seq, f(large + seq), "e");
        }
        streams.add(s);
      }
      test.verify(() -> {
        // the budget, and a frame of each of the other streams past it (each keeps one)
        assertTrue(loop.bytes <= (1 << 20) + 3 * 70 * 1024, "held together: " + loop.bytes);
        long sum = streams.stream().mapToLong(OrderedStream::heldBytes).sum();
        assertEquals(sum, loop.bytes, "the loop's count is its streams' own");
        assertTrue(streams.stream().allMatch(s -> s.heldBytes() > 0), "each keeps one at least");
        streams.forEach(OrderedStream::close);
        assertEquals(0, loop.bytes, "closed streams hold nothing");
      });
      test.completeNow();
    });
  }

  @Test
  void gapWaitDoublesUpToItsBound() {
    assertEquals(OrderedStream.GAP_WAIT_MS, OrderedStream.gapWait(0));
    assertEquals(2 * OrderedStream.GAP_WAIT_MS, OrderedStream.gapWait(1));
    assertEquals(OrderedStream.MAX_GAP_WAIT_MS, OrderedStream.gapWait(40));
  }

  @Test
  void duplicatesAndOldSeqsAreDropped(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, 3, test, List.of(4L, 5L, 6L));
      s.start(3, "e");
      s.offer(2, f("m2"), "e");
      s.offer(4, f("m4"), "e");
      s.offer(4, f("m4"), "e");
      s.offer(5, f("m5"), "e");
      s.offer(3, f("m3"), "e");
      s.offer(6, f("m6"), "e");
    });
  }

  @Test
  void whatArrivesBeforeTheStartIsHeldAndTrimmedToIt(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, 2, test, List.of(6L, 7L));
      s.offer(5, f("m5"), "e");
      s.offer(7, f("m7"), "e");
      s.offer(6, f("m6"), "e");
      test.verify(() -> assertEquals(List.of(), delivered, "nothing before the join answered"));
      s.start(5, "e");
    });
  }

  @Test
  void aConversationStartsBelowTheLowestSeqThatArrivedDuringTheHold(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, 2, test, List.of(7L, 8L));
      s.offer(8, f("m8"), "e");
      s.startAfterHold("e");
      s.offer(7, f("m7"), "e");
      s.startAfterHold("e");
    });
  }

  /**
   * A conversation's new stream looks below its first message for the ones stored while its
   * users were here that never came (a node stored them and died): from the oldest such on, in
   * order, before the first one. Not the ones stored before, nor further back than it looks.
   */
  @Test
  void aConversationStartsWithTheMessagesJustBeforeItThatItsUsersMissed(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, 4, test, List.of(6L, 7L, 8L, 9L));
      s.offer(9, f("m9"), "e");
      // 6 is the first stored while they were here: 7 counts although it says it is older
      s.startAfterHold("e", m -> m.equals("m6") || m.equals("m8"));
    });
  }

  @Test
  void aConversationWhoseUsersMissedNothingStartsAtItsFirstMessageAfterOneLook(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = new OrderedStream(vertx, "dm:a:b", this::readLog, (seq, frame) -> delivered.add(seq));
      s.offer(20, f("m20"), "e");
      s.startAfterHold("e", m -> false);
      vertx.setTimer(OrderedStream.GAP_WAIT_MS + 100, t -> {
        s.offer(21, f("m21"), "e");
        test.verify(() -> {
          assertEquals(List.of(20L, 21L), delivered);
          assertEquals(List.of(20L - 1 - OrderedStream.LOOK_BACK), logReads, "one read, of the look back only");
        });
        test.completeNow();
      });
    });
  }

  /** The look cannot be read (the cluster did not answer): the stream starts as without it. */
  @Test
  void aConversationStartsEvenWhenItsLookBackFails(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = new OrderedStream(vertx, "dm:a:b", (room, after, limit) -> Future.failedFuture("down"),
          (seq, frame) -> {
            test.verify(() -> assertEquals(5L, seq));
            test.completeNow();
          });
      s.offer(5, f("m5"), "e");
      s.startAfterHold("e", m -> true);
    });
  }

  @Test
  void catchUpReadsWhatADeadNodeStoredButNeverSent(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, 3, test, List.of(1L, 2L, 3L));
      log.tailMap(4L, true).clear();
      s.start(0, "e");
      s.offer(1, f("m1"), "e");
      s.catchUp();
    });
  }

  /**
   * A node that missed hundreds (it was slow, and the sender stopped sending to it) reads page
   * after page until a page is not full: no later message need come to show the rest.
   */
  @Test
  void catchUpReadsOnWhileTheLogHasMore(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, 250, test, logged(1, 250));
      s.start(0, "e");
      s.offer(1, f("m1"), "e");
      s.catchUp();
    });
  }

  /**
   * A node that missed more than the room keeps: the catch-up skips to what the log still has
   * and reads each page once, where it read the first page again and again, holding what it
   * could not deliver.
   */
  @Test
  void catchUpPastWhatTheLogKeepsSkipsToItsStartAndReadsEachPageOnce(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      log.clear();
      List<Long> kept = logged(50, 250);
      OrderedStream s = new OrderedStream(vertx, "room", this::readLog, (seq, frame) -> {
        delivered.add(seq);
        if (seq == 250) {
          test.verify(() -> {
            assertEquals(kept, delivered);
            assertEquals(new java.util.HashSet<>(logReads).size(), logReads.size(), "a page read twice: " + logReads);
          });
          test.completeNow();
        }
      });
      s.start(0, "e");
      s.catchUp();
    });
  }

  /**
   * A conversation's stream begins below the lowest seq it gathered in its first wait. A lower
   * one that comes later crossed a newer one on the way by more than that wait: it is delivered,
   * out of order, once, rather than dropped as old (every connection of both users receives
   * every private message).
   */
  @Test
  void aConversationsMessageFromBeforeItsStreamBeganIsDeliveredLateNotDropped(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = new OrderedStream(vertx, "dm:a:b", this::readLog, (seq, frame) -> delivered.add(seq));
      s.offer(5, f("m5"), "e");
      s.startAfterHold("e");
      vertx.setTimer(OrderedStream.GAP_WAIT_MS + 100, t -> {
        s.offer(4, f("m4"), "e"); // later than the wait
        s.offer(4, f("m4"), "e"); // and again: once is enough
        s.offer(6, f("m6"), "e");
        s.offer(5, f("m5"), "e"); // delivered by the stream itself: old
        test.verify(() -> assertEquals(List.of(5L, 4L, 6L), delivered));
        test.completeNow();
      });
    });
  }

  /**
   * A catch-up read that fails (the dead node's partitions still moving) is asked again: a
   * conversation has nothing else that would read what the dead node stored until its next message.
   */
  @Test
  void aCatchUpReadThatFailsIsAskedAgain(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      log.tailMap(4L, true).clear(); // the log ends at 3
      int[] reads = {0};
      OrderedStream s = new OrderedStream(vertx, "room", (room, after, limit) -> {
        if (reads[0]++ == 0) {
          return io.vertx.core.Future.failedFuture(new IllegalStateException("partition migrating"));
        }
        return readLog(room, after, limit);
      }, (seq, frame) -> {
        delivered.add(seq);
        if (delivered.size() == 3) {
          // a retry left running after the answer would read again after the second pause
          afterQuiet(vertx, test, 2 * OrderedStream.CATCH_UP_PAUSE_MS + QUIET_MS, () -> {
            assertEquals(List.of(1L, 2L, 3L), delivered);
            assertEquals(2, reads[0], "read again once after the failure");
          });
        }
      });
      s.start(0, "e");
      s.offer(1, f("m1"), "e");
      s.catchUp(); // 2 and 3 are in the log, never sent
    });
  }

  /**
   * A frame that comes out of order while a catch-up read is under way armed no gap timer: it
   * waited for the room's next message, however long that took. The read's end drains it.
   */
  @Test
  void aFrameHeldDuringACatchUpIsFilledWhenTheReadEnds(Vertx vertx, VertxTestContext test) {
    io.vertx.core.Promise<LogPage> pending = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      boolean[] first = {true};
      OrderedStream s = new OrderedStream(vertx, "room", (room, after, limit) -> {
        if (first[0]) {
          first[0] = false;
          return pending.future(); // the catch-up's read, answered below
        }
        return readLog(room, after, limit);
      }, (seq, frame) -> {
        delivered.add(seq);
        if (delivered.size() == 3) {
          test.verify(() -> assertEquals(List.of(1L, 2L, 3L), delivered));
          test.completeNow();
        }
      });
      s.start(0, "e");
      s.offer(1, f("m1"), "e");
      s.catchUp();
      s.offer(3, f("m3"), "e"); // 2 is missing, and a read is under way
      pending.complete(new LogPage(2L, List.of(), false)); // nothing after 1 when the read was made
    });
  }

  @Test
  void aSeqNoLongerInTheLogIsSkippedRatherThanWaitedForForever(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      log.headMap(3L, true).clear(); // 1..3 evicted
      log.tailMap(6L, true).clear(); // and nothing stored after 5
      OrderedStream s = stream(vertx, 2, test, List.of(4L, 5L));
      s.start(1, "e");
      s.offer(5, f("m5"), "e");
    });
  }

  /**
   * The room's log restarted (its owner and backup died together) and no frame of the new one
   * came yet: a catch-up read after the old cursor answers from the new log. Its messages went
   * out under the old log's seqs, and the stream stayed on the old epoch. It now follows the new
   * log from where it ends, and its members are held to be told of it.
   */
  @Test
  void aCatchUpThatReadsAnotherLogFollowsItInsteadOfDeliveringIt(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      List<String> resets = new ArrayList<>();
      OrderedStream s = new OrderedStream(vertx, "room", (room, after, limit) -> {
        logReads.add(after);
        return Future.succeededFuture(new LogPage(after + 1, List.of("m6", "m7"), false, "e2", 7));
      }, (seq, frame) -> delivered.add(seq));
      s.onEpochReset(() -> {
        resets.add(s.epoch());
        test.verify(() -> {
          assertEquals(List.of(5L), logReads);
          assertEquals(List.of(), delivered, "nothing of the new log under the old one's seqs");
          assertEquals(7, s.cursor(), "on from where the new log ends");
        });
      });
      s.start(5, "e1");
      s.catchUp(); // the read answers at once
      s.offer(8, f("m8"), "e2");
      test.verify(() -> {
        assertEquals(List.of("e2"), resets);
        assertEquals(List.of(8L), delivered);
      });
      s.close();
      test.completeNow();
    });
  }

  /** As above, for the read that fills a gap: the held frames are the old log's, and go. */
  @Test
  void aGapReadThatFindsAnotherLogFollowsIt(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = new OrderedStream(vertx, "room", (room, after, limit) -> {
        logReads.add(after);
        return Future.succeededFuture(new LogPage(after + 1, List.of("m5"), false, "e2", 5));
      }, (seq, frame) -> delivered.add(seq));
      s.onEpochReset(() -> test.verify(() -> {
        assertEquals("e2", s.epoch());
        assertEquals(List.of(4L), logReads);
        assertEquals(List.of(4L), delivered, "neither the new log's 5 nor the old log's held 6");
        s.close();
        test.completeNow();
      }));
      s.start(3, "e1");
      s.offer(4, f("m4"), "e1");
      s.offer(6, f("m6"), "e1"); // 5 does not come: read from the log, which is another one now
    });
  }

  /** A read answered from a log the stream has left (a late answer, a healed split) goes nowhere. */
  @Test
  void aReadOfALogTheStreamLeftIsDropped(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      List<String> resets = new ArrayList<>();
      OrderedStream s = new OrderedStream(vertx, "room", (room, after, limit) -> {
        logReads.add(after);
        return Future.succeededFuture(new LogPage(after + 1, List.of("m2"), false, "e1", 2));
      }, (seq, frame) -> delivered.add(seq));
      s.onEpochReset(() -> resets.add(s.epoch()));
      s.start(0, "e1");
      s.offer(1, f("m1"), "e1");
      s.offer(1, f("m1"), "e2");
      s.catchUp(); // the read answers at once
      test.verify(() -> {
        assertEquals(List.of(1L), logReads, "the read was made");
        assertEquals(List.of("e2"), resets);
        assertEquals("e2", s.epoch());
        assertEquals(List.of(1L, 1L), delivered);
      });
      s.close();
      test.completeNow();
    });
  }

  /**
   * Frames held before the stream started (its first join on its way) are of one log: those of
   * a log the join did not answer from are not delivered under its epoch. Before, the old log's
   * seqs went out as the new one's, and moved the cursor past the new log's own.
   */
  @Test
  void framesHeldBeforeTheStartFromAnotherLogAreNotDelivered(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> test.verify(() -> {
      OrderedStream s = new OrderedStream(vertx, "room", (room, after, limit) -> Future.failedFuture("not read here"),
          (seq, frame) -> delivered.add(seq));
      s.offer(4, f("m4"), "e1");
      s.offer(5, f("m5"), "e1");
      s.start(3, "e2");
      assertEquals(List.of(), delivered, "e1's 4 and 5 are not e2's");
      s.offer(4, f("m4"), "e2");
      assertEquals(List.of(4L), delivered);

      OrderedStream t = new OrderedStream(vertx, "room", (room, after, limit) -> Future.failedFuture("not read here"),
          (seq, frame) -> delivered.add(seq));
      t.offer(6, f("m6"), "e1");
      t.offer(5, f("m5"), "e2"); // the log changed before the start: the old one's frames go
      t.start(4, "e2");
      assertEquals(List.of(4L, 5L), delivered);
      s.close();
      t.close();
      test.completeNow();
    }));
  }

  @Test
  void aNewEpochRestartsTheSequence(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = stream(vertx, 3, test, List.of(1L, 2L, 1L));
      s.start(0, "e1");
      s.offer(1, f("m1"), "e1");
      s.offer(2, f("m2"), "e1");
      s.offer(1, f("m1"), "e2");
    });
  }

  @Test
  void recentAfterAnswersFromTheWindowOrSaysItCannot(Vertx vertx, VertxTestContext test) {
    context.runOnContext(v -> {
      OrderedStream s = new OrderedStream(vertx, "room", this::readLog, (seq, f) -> { });
      s.start(0, "e");
      for (long seq = 1; seq <= OrderedStream.RECENT + 10; seq++) {
        s.offer(seq, f("m" + seq), "e");
      }
      test.verify(() -> {
        assertEquals(List.of("m" + (OrderedStream.RECENT + 9), "m" + (OrderedStream.RECENT + 10)),
            s.recentAfter(OrderedStream.RECENT + 8).stream().map(EncodedFrame::text).toList());
        assertEquals(List.of(), s.recentAfter(OrderedStream.RECENT + 10));
        assertNull(s.recentAfter(2), "older than the window: the caller reads the log");
        assertEquals(OrderedStream.RECENT, s.recentAfter(10).size(), "the whole window, oldest first");
        assertEquals("m11", s.recentAfter(10).get(0).text());
        assertNull(s.recentAfter(9), "one older than the window");
      });
      test.completeNow();
    });
  }
}
