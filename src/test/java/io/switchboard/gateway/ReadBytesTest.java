package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.gateway.ReadBytes.Kind;
import org.junit.jupiter.api.Test;

/** The node's budget for read replies: reserve what replies of the kind took of late, settle for what it took. */
class ReadBytesTest {

  private static final long T0 = 5_000_000L;
  private static final long GUESS = ReadBytes.FIRST_GUESS;

  @Test
  void aKindNotSeenYetReservesTheFirstGuessAndNeverMoreThanItsMost() {
    ReadBytes budget = new ReadBytes(1_000_000, 1_000_000, T0);
    assertEquals(GUESS, budget.reserve(T0, Kind.READ, 512_000));
    assertEquals(100, budget.reserve(T0, Kind.JOIN, 100), "a reply that cannot take more than 100 bytes");
  }

  @Test
  void repliesUnderWayCountBeforeTheirSizesAreKnown() {
    ReadBytes budget = new ReadBytes(1_000_000, 100_000, T0);
    int admitted = 0;
    while (budget.reserve(T0, Kind.JOIN, 768_000) > 0) {
      admitted++;
    }
    assertEquals((100_000 + GUESS - 1) / GUESS, admitted, "a guess each until the budget is spent");
    assertEquals(0, budget.reserve(T0, Kind.READ, 10), "spent for every kind");
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
  void largeRepliesOfOneKindMakeItsNextReservationsLargeAndLeaveTheOtherKindAlone() {
    ReadBytes budget = new ReadBytes(100_000_000, 100_000_000, T0);
    for (int i = 0; i < 20; i++) {
      budget.settle(T0, Kind.READ, budget.reserve(T0, Kind.READ, 600_000), 500_000);
    }
    long next = budget.reserve(T0, Kind.READ, 600_000);
    assertEquals(true, next > 490_000 && next <= 500_000, "pages of 500 000 reserve about that: " + next);
    assertEquals(GUESS, budget.reserve(T0, Kind.JOIN, 768_000), "joins still reserve what joins took");
    for (int i = 0; i < 20; i++) {
      budget.settle(T0, Kind.JOIN, budget.reserve(T0, Kind.JOIN, 768_000), 100);
    }
    assertEquals(ReadBytes.LEAST, budget.reserve(T0, Kind.JOIN, 768_000), "small joins reserve the least");
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
