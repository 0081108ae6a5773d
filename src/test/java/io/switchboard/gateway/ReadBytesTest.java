package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The node's budget for read replies: a read reserves its most; a first join twice what the last
 * of its room took, or, learning a room, what the node has to spare, and what joins took of late
 * when that is less; each settles for what it took.
 */
class ReadBytesTest {

  private static final long T0 = 5_000_000L;
  private static final long GUESS = ReadBytes.FIRST_GUESS;
  private static final long MOST = 768_000;

  @Test
  void aReadReservesItsMostAndAJoinLearningARoomWhatTheNodeHasToSpare() {
    ReadBytes budget = new ReadBytes(1_000_000, 1_000_000, T0);
    assertEquals(512_000, budget.reserve(T0, 512_000));
    assertEquals(488_000, budget.reserveJoin(T0, "lobby", MOST), "what is left, less than its most");
    assertEquals(0, budget.reserveJoin(T0, "deploys", MOST), "spent: refused");
    ReadBytes idle = new ReadBytes(1_000_000, 1_000_000, T0);
    assertEquals(MOST, idle.reserveJoin(T0, "lobby", MOST), "a node not busy: its most");
    assertEquals(100, idle.reserveJoin(T0, "deploys", 100), "a join that cannot take more than 100 bytes");
  }

  @Test
  void repliesUnderWayCountBeforeTheirSizesAreKnown() {
    ReadBytes pages = new ReadBytes(1_000_000, 1_000_000, T0);
    assertEquals(512_000, pages.reserve(T0, 512_000));
    assertEquals(512_000, pages.reserve(T0, 512_000), "488 000 left: still some");
    assertEquals(0, pages.reserve(T0, 10), "24 000 owed before either page is known");
    assertEquals(25, pages.waitMs(T0), "24 001 bytes at 1 000 a ms");
    assertEquals(0, pages.reserveJoin(T0, "lobby", MOST), "spent for joins too");
  }

  @Test
  void whatAReplyDidNotUseComesBackAndWhatItTookPastItIsOwed() {
    ReadBytes budget = new ReadBytes(1_000_000, 1_000_000, T0);
    long reserved = budget.reserve(T0, 900_000);
    budget.settle(T0, reserved, 1_500_000); // a page far past the guess
    assertEquals(0, budget.reserve(T0 + 400, 1), "500 000 owed, 400 000 back");
    assertEquals(101, budget.waitMs(T0 + 400), "100 001 bytes at 1 000 a ms");
    assertEquals(1, budget.reserve(T0 + 501, 1), "out of debt after 500 ms");
  }

  /** A node that refills its 1 000-byte burst every ms: a join learning a room reserves the guess. */
  @Test
  void onABusyNodeAJoinLearningARoomReservesWhatJoinsTookOfLate() {
    ReadBytes budget = new ReadBytes(1_000_000_000_000L, 1_000, T0);
    long t = T0;
    assertEquals(GUESS, budget.reserveJoin(t, "first", MOST), "before any join settled: the first guess");
    for (int i = 0; i < 20; i++) {
      t += 1_000;
      budget.settleJoin(t, "big" + i, budget.reserveJoin(t, "big" + i, MOST), 500_000);
    }
    t += 1_000;
    long next = budget.reserveJoin(t, "unknown", MOST);
    assertTrue(next > 490_000 && next <= 500_000, "joins of 500 000 reserve about that: " + next);
    for (int i = 0; i < 40; i++) { // a quarter of the way each time
      t += 1_000;
      budget.settle(t, budget.reserve(t, 600_000), 10);
      budget.settleJoin(t, "small" + i, budget.reserveJoin(t, "small" + i, MOST), 100);
    }
    t += 1_000;
    assertEquals(ReadBytes.LEAST, budget.reserveJoin(t, "not known", MOST), "after small joins, the least");
    t += 1_000;
    assertEquals(600_000, budget.reserve(t, 600_000), "small pages do not make a read reserve less");
  }

  @Test
  void aFirstJoinOfAKnownRoomReservesTwiceWhatItsLastTookWhateverOtherRoomsTook() {
    ReadBytes budget = new ReadBytes(1_000_000_000_000L, 1_000, T0);
    long t = T0 + 1_000;
    budget.settleJoin(t, "archive", budget.reserveJoin(t, "archive", 2_000_000), 520_000);
    for (int i = 0; i < 40; i++) { // joins of small rooms bring the average down to the least
      t += 1_000;
      budget.settleJoin(t, "small" + i, budget.reserveJoin(t, "small" + i, 2_000_000), 100);
    }
    t += 1_000;
    assertEquals(1_040_000, budget.reserveJoin(t, "archive", 2_000_000), "the large room is not guessed small");
    t += 1_000;
    assertEquals(400_000, budget.reserveJoin(t, "archive", 400_000), "nor more than its reply may take");
    t += 1_000;
    budget.settleJoin(t, "archive", budget.reserveJoin(t, "archive", 2_000_000), 2_000); // its history shrank
    t += 1_000;
    assertEquals(4_000, budget.reserveJoin(t, "archive", 2_000_000));
    t += 1_000;
    budget.settleJoin(t, "archive", budget.reserveJoin(t, "archive", 2_000_000), 4_000); // cut to 4 000: it grew
    t += 1_000;
    assertEquals(8_000, budget.reserveJoin(t, "archive", 2_000_000), "a join cut to its reservation doubles the next");
  }

  @Test
  void aJoinOnANodeNotBusyReservesItsMost() {
    ReadBytes budget = new ReadBytes(100_000_000, 100_000_000, T0);
    budget.settleJoin(T0, "archive", budget.reserveJoin(T0, "archive", MOST), 300);
    assertEquals(MOST, budget.reserveJoin(T0, "archive", MOST), "twice its most to spare: whatever the room grew to");
  }

  @Test
  void onABusyNodeARoomNotKnownIsLearntFromOneJoinWhileTheOthersOfItWait() {
    ReadBytes budget = new ReadBytes(1_000_000_000_000L, 1_000_000, T0);
    long learner = budget.reserveJoin(T0, "archive", 2_000_000);
    assertEquals(1_000_000, learner, "what the node has to spare");
    assertEquals(ReadBytes.LEARNING, budget.reserveJoin(T0 + 1, "archive", 2_000_000), "the room's size is being learnt");
    assertEquals(1_000_000, budget.reserveJoin(T0 + 2, "lobby", 2_000_000), "other rooms are not held back");
    io.vertx.core.Future<Void> waited = budget.learnt("archive");
    assertFalse(waited.isComplete());
    budget.settleJoin(T0 + 3, "archive", learner, 520_000);
    assertTrue(waited.succeeded(), "the joins that waited go on");
    assertEquals(1_040_000, budget.reserveJoin(T0 + 4, "archive", 2_000_000), "and reserve twice what the learner took");
    assertTrue(budget.learnt("archive").succeeded(), "nothing to wait for once learnt");

    long failing = budget.reserveJoin(T0 + 5, "failing", MOST);
    io.vertx.core.Future<Void> afterFailure = budget.learnt("failing");
    budget.settleJoin(T0 + 6, "failing", failing, 0);
    assertTrue(afterFailure.succeeded(), "a learner that failed lets the others go on");
    assertEquals(MOST, budget.reserveJoin(T0 + 7, "failing", MOST), "one of them learns instead");
    assertEquals(ReadBytes.LEARNING, budget.reserveJoin(T0 + 7 + ReadBytes.LEARNING_MS - 1, "failing", MOST));
    assertEquals(MOST, budget.reserveJoin(T0 + 7 + ReadBytes.LEARNING_MS, "failing", MOST),
        "a learner that never settled (a defect) is taken over");
  }

  @Test
  void theRoomsKeptAreTheOnesJoinedLast() {
    ReadBytes budget = new ReadBytes(1_000_000_000_000L, 1_000_000, T0); // busy: a burst under twice a join's most
    long t = T0;
    for (int i = 0; i <= ReadBytes.REMEMBERED; i++) {
      t++;
      budget.settleJoin(t, "room" + i, budget.reserveJoin(t, "room" + i, MOST), 100_000 + i);
      if (i == ReadBytes.REMEMBERED / 2) {
        t++;
        budget.settleJoin(t, "room0", budget.reserveJoin(t, "room0", MOST), 100_000); // joined again: kept
      }
    }
    assertEquals(200_000, budget.reserveJoin(++t, "room0", MOST), "joined halfway: among the last");
    assertEquals(MOST, budget.reserveJoin(++t, "room1", MOST),
        "one past the capacity, the least recently joined is learnt again, as a room never joined");
    assertEquals(2 * (100_000 + ReadBytes.REMEMBERED), budget.reserveJoin(++t, "room" + ReadBytes.REMEMBERED, MOST));
  }

  @Test
  void theBudgetRefillsAtItsRateUpToItsBurstAndAFailedReplyGivesItsReserveBack() {
    ReadBytes budget = new ReadBytes(1_000, 40_000, T0);
    long first = budget.reserve(T0, 40_000);
    budget.settle(T0, first, 40_000);
    assertEquals(0, budget.reserve(T0, 1));
    long failed = budget.reserve(T0 + 1, 1_000); // 1 byte back: let through, 999 owed
    assertEquals(0, budget.reserve(T0 + 1, 1));
    budget.settle(T0 + 1, failed, 0);
    assertEquals(1, budget.reserve(T0 + 1, 1), "the failed one's reserve came back");
    // an hour idle refills the burst, not an hour's worth
    budget.settle(T0 + 3_600_000, budget.reserve(T0 + 3_600_000, 40_000), 40_000);
    assertEquals(0, budget.reserve(T0 + 3_600_000, 1));
  }
}
