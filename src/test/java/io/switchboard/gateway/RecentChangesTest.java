package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Names settle after the settle time, whether or not a reconciliation round asks. */
class RecentChangesTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final RecentChanges changes = new RecentChanges(now::get);

  @Test
  void aNameIsSettlingForTheSettleTimeAfterItsLastChange() {
    changes.touch("alice");
    now.addAndGet(1_000);
    changes.touch("bob");
    now.addAndGet(500);
    changes.touch("alice"); // changed again: settles 2 s from now, after bob
    now.addAndGet(1_000);
    assertEquals(List.of("bob", "alice"), List.copyOf(changes.settling(2_000)));
    now.addAndGet(600);
    assertEquals(List.of("alice"), List.copyOf(changes.settling(2_000)));
    now.addAndGet(500);
    assertEquals(List.of(), List.copyOf(changes.settling(2_000)));
  }

  /** No round for an hour (scans failing, a long interval): churn of made-up names is not kept. */
  @Test
  void settledNamesGoWithoutARound() {
    for (int i = 0; i < 100_000; i++) {
      changes.touch("user-" + i);
      now.addAndGet(1);
    }
    assertTrue(changes.size() <= 2_001, "only the last 2 s of names: " + changes.size());
    assertTrue(changes.contains("user-99999"));
  }

  /** The settle time a round asks with is the one later changes are let go by. */
  @Test
  void theLastRoundsSettleTimeCounts() {
    changes.settling(10_000);
    changes.touch("alice");
    now.addAndGet(5_000);
    changes.touch("bob");
    assertTrue(changes.contains("alice"), "still settling at 5 s of 10");
  }
}
