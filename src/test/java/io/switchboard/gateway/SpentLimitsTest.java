package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

class SpentLimitsTest {

  private static SpentLimits.Spent spent(long restsAt) {
    return new SpentLimits.Spent(new TokenBucket(1, 1, 0), null, null, null, new RefusalWindow(20, 10_000), restsAt);
  }

  @Test
  void whatIsAtRestIsNotKeptAndWhatCameToRestIsNotHandedOver() {
    SpentLimits spentLimits = new SpentLimits(10);
    spentLimits.keep("u", spent(100), 100);
    assertEquals(0, spentLimits.size(), "at rest already: a fresh connection is the same");
    spentLimits.keep("u", spent(200), 100);
    assertNull(spentLimits.take("u", 200), "at rest by the time the next connection came");
    assertEquals(0, spentLimits.size());
  }

  @Test
  void theLatestIsHandedOverOnceAndOnlyToItsUser() {
    SpentLimits spentLimits = new SpentLimits(10);
    SpentLimits.Spent older = spent(1_000);
    SpentLimits.Spent latest = spent(2_000);
    spentLimits.keep("u", older, 0);
    spentLimits.keep("u", latest, 0);
    assertNull(spentLimits.take("v", 0));
    assertSame(latest, spentLimits.take("u", 0));
    assertSame(older, spentLimits.take("u", 0));
    assertNull(spentLimits.take("u", 0));
    assertEquals(0, spentLimits.size());
  }

  @Test
  void aUserKeepsAsManyAsItsConnectionsAndTheNodeAtMostMax() {
    SpentLimits spentLimits = new SpentLimits(2);
    for (int i = 0; i < 5; i++) {
      spentLimits.keep("u", spent(1_000 + i), 0);
    }
    assertEquals(2, spentLimits.size(), "the user's connections at once");
    for (int i = 0; i < SpentLimits.MAX; i++) {
      spentLimits.keep("user-" + i, spent(10), 0);
    }
    assertEquals(SpentLimits.MAX, spentLimits.size());
    spentLimits.keep("late", spent(1_000), 0);
    assertNull(spentLimits.take("late", 0), "full, and nothing at rest to make way");
    spentLimits.keep("late", spent(1_000), 10);
    assertEquals(3, spentLimits.size(), "those at rest made way");
  }
}
