package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The node's budget for read replies: reserve the most a reply may take, settle for what it took. */
class ReadBytesTest {

  private static final long T0 = 5_000_000L;

  @Test
  void repliesUnderWayReserveTheirMostUntilTheyAreBuilt() {
    ReadBytes budget = new ReadBytes(1_000_000, 1_000_000, T0);
    assertEquals(512_000, budget.reserve(T0, 512_000));
    assertEquals(512_000, budget.reserve(T0, 512_000), "488 000 left: still some");
    assertEquals(0, budget.reserve(T0, 10), "24 000 owed before either reply is known");
    assertEquals(25, budget.waitMs(T0), "24 001 bytes at 1 000 a ms");
  }

  @Test
  void whatAReplyDidNotUseComesBackAndWhatItTookPastItIsOwed() {
    ReadBytes budget = new ReadBytes(1_000_000, 1_000_000, T0);
    long reserved = budget.reserve(T0, 900_000);
    budget.settle(T0, reserved, 2_000);
    assertEquals(998_000, budget.reserve(T0, 998_000), "the unused 898 000 came back");
    assertEquals(0, budget.reserve(T0, 1));
    ReadBytes other = new ReadBytes(1_000_000, 1_000_000, T0);
    other.settle(T0, other.reserve(T0, 100), 1_500_000); // a reply past its reserve (one message always goes)
    assertEquals(0, other.reserve(T0 + 400, 1), "500 000 owed, 400 000 back");
    assertEquals(1, other.reserve(T0 + 501, 1), "out of debt after 500 ms");
  }

  @Test
  void theBudgetRefillsAtItsRateUpToItsBurst() {
    ReadBytes budget = new ReadBytes(1_000_000, 2_000_000, T0);
    budget.settle(T0, budget.reserve(T0, 2_000_000), 2_000_000);
    assertEquals(0, budget.reserve(T0, 1));
    assertEquals(1, budget.waitMs(T0));
    // an hour idle refills the burst, not an hour's worth
    budget.settle(T0 + 3_600_000, budget.reserve(T0 + 3_600_000, 2_000_000), 2_000_000);
    assertEquals(0, budget.reserve(T0 + 3_600_000, 1));
  }

  @Test
  void aReplyThatFailedGivesAllOfItsReserveBack() {
    ReadBytes budget = new ReadBytes(1_000, 1_000, T0);
    long reserved = budget.reserve(T0, 5_000);
    assertEquals(0, budget.reserve(T0, 1), "4 000 owed while it is under way");
    budget.settle(T0, reserved, 0);
    assertEquals(1, budget.reserve(T0, 1));
  }
}
