package io.switchboard.gateway;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

/**
 * Token buckets by key (a caller, a user), one map per node shared by its event loops, bounded:
 * past {@link #MAX} keys the buckets back at their burst go, since a fresh one is the same.
 */
public final class KeyedBuckets {

  public static final int MAX = 10_000;

  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  /** {@code key}'s bucket, made by {@code fresh} (given the clock) when it has none. */
  public TokenBucket of(String key, LongFunction<TokenBucket> fresh) {
    long now = io.switchboard.ops.Clocks.monotonicMillis();
    if (buckets.size() > MAX) {
      prune(now);
    }
    return buckets.computeIfAbsent(key, k -> fresh.apply(now));
  }

  /** Takes {@code n} tokens of {@code bucket} (one of these): 0 when granted, else ms to wait. */
  public static long take(TokenBucket bucket, int n) {
    // shared by the event loops: a plain take() would lose updates
    synchronized (bucket) {
      return bucket.take(io.switchboard.ops.Clocks.monotonicMillis(), n);
    }
  }

  /**
   * The buckets back at their burst go. Dropping them all gave every caller, the one being limited
   * too, a fresh burst whenever someone presented enough new keys. Still too many (that many
   * callers busy at once): all go, so that memory stays bounded.
   */
  void prune(long now) {
    buckets.values().removeIf(b -> {
      synchronized (b) {
        return b.full(now);
      }
    });
    if (buckets.size() > MAX) {
      buckets.clear();
    }
  }

  int size() {
    return buckets.size();
  }
}
