package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Past history.maxHeapPercent after a collection, new messages are refused until the heap is under nine tenths of it. */
class MemoryGuardTest {

  @Test
  void refusesPastTheShareAndTakesAgainUnderNineTenthsOfIt() {
    MemoryGuard guard = MemoryGuard.unfed(90);
    guard.observe(90, 100);
    assertFalse(guard.isLow(), "at the share, not past it");
    guard.observe(91, 100);
    assertTrue(guard.isLow());
    guard.observe(85, 100);
    assertTrue(guard.isLow(), "between the two: still refusing, so that it does not flap at every collection");
    guard.observe(80, 100);
    assertFalse(guard.isLow());
  }

  @Test
  void zeroNeverRefuses() {
    MemoryGuard guard = MemoryGuard.unfed(0);
    guard.observe(100, 100);
    assertFalse(guard.isLow());
  }

  @Test
  void aGuardFedByTheJvmsCollectionsSeesOne() throws Exception {
    byte[] held = new byte[64 * 1024 * 1024]; // live through the collections: over 1 % of any test heap up to 6 GB
    try (MemoryGuard guard = MemoryGuard.start(1)) {
      long until = System.nanoTime() + 10_000_000_000L;
      while (!guard.isLow() && System.nanoTime() < until) {
        System.gc(); // its notification comes on a JMX thread, shortly after: polled
        java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
      }
      assertTrue(guard.isLow(), "a collection's reading came through");
    }
    java.lang.ref.Reference.reachabilityFence(held); // kept alive till here, not a check
  }
}
