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
  void aReconnectionIntoTheOnlyPlaceGoesOnFromWhatItsUserSpent() {
    SpentLimits limits = new SpentLimits(1);
    assertNull(limits.opened("u", 0), "a first connection starts fresh");
    SpentLimits.Spent spent = spent(1_000);
    limits.closed("u", spent, 0);
    assertNull(limits.opened("v", 0), "another user's is not handed on");
    assertSame(spent, limits.opened("u", 10));
    assertEquals(0, limits.kept());
  }

  @Test
  void whatCameToRestIsNotKeptNorHandedOn() {
    SpentLimits limits = new SpentLimits(1);
    limits.opened("u", 0);
    limits.closed("u", spent(100), 100);
    assertEquals(0, limits.kept(), "at rest already: a fresh connection is the same");
    limits.opened("u", 100);
    limits.closed("u", spent(200), 100);
    assertNull(limits.opened("u", 200), "at rest by the time the next connection came");
    limits.closed("u", null, 200);
    assertEquals(0, limits.users(), "nothing left of a user with no connection and nothing kept");
  }

  /**
   * A user may have as many connections as places: while one is free (never used, or used and
   * rested) a new connection starts fresh, so that one tab's spending is not another's; once
   * every place is open or spent, the most rested spent one is taken.
   */
  @Test
  void aFreePlaceStartsFreshAndOnceNoneIsTheMostRestedIsTaken() {
    SpentLimits limits = new SpentLimits(3);
    limits.opened("u", 0);
    limits.opened("u", 0);
    limits.opened("u", 0);
    SpentLimits.Spent first = spent(3_000);
    SpentLimits.Spent second = spent(2_000);
    limits.closed("u", first, 0);
    limits.closed("u", null, 0);
    assertNull(limits.opened("u", 0), "one open, one spent, one free: the new connection takes the free place");
    limits.closed("u", second, 0);
    // one open, two spent: every place is taken
    assertSame(second, limits.opened("u", 0), "the most rested");
    assertSame(first, limits.opened("u", 0));
    assertEquals(0, limits.kept());
  }

  @Test
  void aUserKeepsAsManyAsItsPlacesAndTheNodeAtMostMax() {
    SpentLimits limits = new SpentLimits(2);
    for (int i = 0; i < 5; i++) {
      limits.opened("u", 0);
    }
    for (int i = 0; i < 5; i++) {
      limits.closed("u", spent(1_000 + i), 0);
    }
    assertEquals(2, limits.kept(), "as many as the user's places, the least rested");
    for (int i = 0; i < SpentLimits.MAX; i++) {
      limits.opened("user-" + i, 0);
      limits.closed("user-" + i, spent(10), 0);
    }
    assertEquals(SpentLimits.MAX, limits.kept());
    limits.opened("late", 0);
    limits.closed("late", spent(1_000), 0);
    assertEquals(SpentLimits.MAX, limits.kept(), "full: the late one is forgotten");
    limits.opened("later", 1_000);
    limits.closed("later", spent(2_000), 1_000);
    assertEquals(3, limits.kept(), "a second on, those at rest were pruned, and the later one kept");
  }
}
