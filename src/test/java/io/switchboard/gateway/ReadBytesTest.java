package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.gateway.ReadBytes.Kind;
import org.junit.jupiter.api.Test;

/** The node's budget for read replies: a read reserves its most, a join what joins took of late; each settles for what it took. */
class ReadBytesTest {

  private static final long T0 = 5_000_000L;
  private static final long GUESS = ReadBytes.FIRST_GUESS;

  @Test
  void aReadReservesItsMostAndAJoinBeforeAnyWasSettledTheFirstGuess() {
    ReadBytes budget = new ReadBytes(1_000_000, 1_000_000, T0);
    assertEquals(512_000, budget.reserve(T0, Kind.READ, 512_000));
    assertEquals(GUESS, budget.reserve(T0, Kind.JOIN, 768_000));
    assertEquals(100, budget.reserve(T0, Kind.JOIN, 100), "a join that cannot take more than 100 bytes");
  }

  @Test
  void repliesUnderWayCountBeforeTheirSizesAreKnown() {
    ReadBytes pages = new ReadBytes(1_000_000, 1_000_000, T0);
    assertEquals(512_000, pages.reserve(T0, Kind.READ, 512_000));
    assertEquals(512_000, pages.reserve(T0, Kind.READ, 512_000), "488 000 left: still some");
    assertEquals(0, pages.reserve(T0, Kind.READ, 10), "24 000 owed before either page is known");
    assertEquals(25, pages.waitMs(T0), "24 001 bytes at 1 000 a ms");
    ReadBytes joins = new ReadBytes(1_000_000, 100_000, T0);
    int admitted = 0;
    while (joins.reserve(T0, Kind.JOIN, 768_000) > 0) {
      admitted++;
    }
    assertEquals((100_000 + GUESS - 1) / GUESS, admitted, "a guess each until the budget is spent");
    assertEquals(0, joins.reserve(T0, Kind.READ, 10), "spent for reads too");
  }

  @Test
  void whatAReplyDidNotUseComesBackAndWhatItTookPastItIsOwed() {
    ReadBytes budget = new ReadBytes(1_000_000, 1_000_000, T0);
    long reserved = budget.reserve(T0, Kind.READ, 900_000);
    budget.settle(T0, Kind.READ, reserved, 1_500_000); // a page far past the guess
    assertEquals(0, budget.reserve(T0 + 400, Kind.READ, 1), "500 000 owed, 400 000 back");
    assertEquals(101, budget.waitMs(T0 + 400), "100 001 bytes at 1 000 a ms");
    assertEquals(1, budget.reserve(T0 + 501, Kind.READ, 1), "out of debt after 500 ms");
  }

  @Test
  void joinsReserveWhatJoinsTookOfLateWhateverReadsTook() {
    ReadBytes budget = new ReadBytes(100_000_000, 100_000_000, T0);
    for (int i = 0; i < 20; i++) {
      budget.settle(T0, Kind.JOIN, budget.reserve(T0, Kind.JOIN, 768_000), 500_000);
    }
    long next = budget.reserve(T0, Kind.JOIN, 768_000);
    assertTrue(next > 490_000 && next <= 500_000, "joins of 500 000 reserve about that: " + next);
    for (int i = 0; i < 40; i++) { // a quarter of the way each time
      budget.settle(T0, Kind.READ, budget.reserve(T0, Kind.READ, 600_000), 10);
      budget.settle(T0, Kind.JOIN, budget.reserve(T0, Kind.JOIN, 768_000), 100);
    }
    assertEquals(ReadBytes.LEAST, budget.reserve(T0, Kind.JOIN, 768_000), "small joins reserve the least");
    assertEquals(600_000, budget.reserve(T0, Kind.READ, 600_000), "small pages do not make a read reserve less");
  }

  @Test
  void theBudgetRefillsAtItsRateUpToItsBurstAndAFailedReplyGivesItsReserveBack() {
    ReadBytes budget = new ReadBytes(1_000, 40_000, T0);
    long first = budget.reserve(T0, Kind.READ, 40_000);
    budget.settle(T0, Kind.READ, first, 40_000);
    assertEquals(0, budget.reserve(T0, Kind.READ, 1));
    long failed = budget.reserve(T0 + 1, Kind.READ, 1_000); // 1 byte back: let through, 999 owed
    assertEquals(0, budget.reserve(T0 + 1, Kind.READ, 1));
    budget.settle(T0 + 1, Kind.READ, failed, 0);
    assertEquals(1, budget.reserve(T0 + 1, Kind.READ, 1), "the failed one's reserve came back");
    // an hour idle refills the burst, not an hour's worth
    budget.settle(T0 + 3_600_000, Kind.READ, budget.reserve(T0 + 3_600_000, Kind.READ, 40_000), 40_000);
    assertEquals(0, budget.reserve(T0 + 3_600_000, Kind.READ, 1));
  }
}
