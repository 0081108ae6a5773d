package io.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.gateway.TokenBucket;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Past its bound, the server API's map of callers' buckets lets go of the full ones only: it was
 * emptied at once, and whoever presented ten thousand new subs gave every caller, the one being
 * limited included, a fresh burst.
 */
class ApiBucketsTest {

  private static final long T0 = 1_000_000;

  @Test
  void pastTheBoundOnlyFullBucketsGo() {
    Map<String, TokenBucket> buckets = ServerApi.newBuckets();
    TokenBucket limited = new TokenBucket(20, 40, T0);
    for (int i = 0; i < 40; i++) {
      limited.take(T0);
    }
    buckets.put("limited", limited);
    for (int i = 0; i < ServerApi.MAX_BUCKETS; i++) {
      buckets.put("idle-" + i, new TokenBucket(20, 40, T0));
    }
    ServerApi.prune(buckets, T0 + 10);
    assertEquals(1, buckets.size(), buckets.keySet().stream().limit(3).toList().toString());
    assertSame(limited, buckets.get("limited"), "the limited caller keeps its debt");
    assertTrue(limited.take(T0 + 10) > 0);
  }

  @Test
  void thatManyBusyCallersAllGoToBoundTheMemory() {
    Map<String, TokenBucket> buckets = ServerApi.newBuckets();
    for (int i = 0; i <= ServerApi.MAX_BUCKETS; i++) {
      TokenBucket b = new TokenBucket(20, 40, T0);
      b.take(T0);
      buckets.put("busy-" + i, b);
    }
    ServerApi.prune(buckets, T0);
    assertEquals(0, buckets.size());
  }
}
