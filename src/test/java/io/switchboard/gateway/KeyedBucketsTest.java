package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Past its bound, a node's map of buckets by key (the server API's callers, users' connects)
 * lets go of the full ones only: it was emptied at once, and whoever presented ten thousand new
 * subs gave every caller, the one being limited included, a fresh burst.
 */
class KeyedBucketsTest {

  private static final long T0 = 1_000_000;

  @Test
  void pastTheBoundOnlyFullBucketsGo() {
    KeyedBuckets buckets = new KeyedBuckets();
    TokenBucket limited = new TokenBucket(20, 40, T0);
    for (int i = 0; i < 40; i++) {
      limited.take(T0);
    }
    buckets.of("limited", now -> limited);
    for (int i = 0; i < KeyedBuckets.MAX; i++) {
      buckets.of("idle-" + i, now -> new TokenBucket(20, 40, T0));
    }
    buckets.prune(T0 + 10);
    assertEquals(1, buckets.size());
    assertSame(limited, buckets.of("limited", now -> new TokenBucket(20, 40, now)), "the limited caller keeps its debt");
    assertTrue(limited.take(T0 + 10) > 0);
  }

  @Test
  void thatManyBusyCallersAllGoToBoundTheMemory() {
    KeyedBuckets buckets = new KeyedBuckets();
    for (int i = 0; i <= KeyedBuckets.MAX; i++) {
      TokenBucket b = new TokenBucket(20, 40, T0);
      b.take(T0);
      buckets.of("busy-" + i, now -> b);
    }
    buckets.prune(T0);
    assertEquals(0, buckets.size());
  }

  @Test
  void aKeysBucketIsMadeOnceAndSharedByItsCallers() {
    KeyedBuckets buckets = new KeyedBuckets();
    TokenBucket first = buckets.of("ann", now -> new TokenBucket(1, 2, now));
    assertSame(first, buckets.of("ann", now -> new TokenBucket(1, 2, now)));
    assertEquals(0, KeyedBuckets.take(first, 1));
    assertEquals(0, KeyedBuckets.take(buckets.of("ann", now -> new TokenBucket(1, 2, now)), 1));
    assertTrue(KeyedBuckets.take(first, 1) > 0, "the burst of two is spent");
  }
}
