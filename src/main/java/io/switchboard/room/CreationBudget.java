package io.switchboard.room;

import io.switchboard.ops.Clocks;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many new rooms and conversations each user may make through this node: {@code perMinute}
 * a minute, {@code burst} saved up. Every join of a fresh name and every private message to a
 * new user makes an entry; without a budget, one user's connections could bring the cluster to
 * history.maxRooms in minutes and have it refuse everyone's new rooms for a day (IdleRooms'
 * floor). Per node, not cluster-wide: a user spread over n nodes gets n budgets, which still
 * turns minutes into days. Thread-safe: the gateways' event loops share it.
 */
final class CreationBudget {

  /** Buckets are dropped once full (nothing to remember) when there are more than this many. */
  private static final int PRUNE_ABOVE = 10_000;
  private static final long PRUNE_EVERY_MS = 60_000;

  private final double perMs;
  private final int burst;
  private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
  private volatile long pruned = Long.MIN_VALUE / 2;

  CreationBudget(int perMinute, int burst) {
    this.perMs = perMinute / 60_000.0;
    this.burst = burst;
  }

  /**
   * Takes a token for a request that may make a room: false when {@code user} has none left.
   * Taken before the request, so that many sent at once cannot all pass; given back by
   * {@link #refund} when the request made nothing.
   */
  boolean take(String user) {
    long now = Clocks.monotonicMillis();
    if (buckets.size() > PRUNE_ABOVE && now - pruned > PRUNE_EVERY_MS) {
      pruned = now;
      buckets.values().removeIf(b -> b.isFull(now));
    }
    return buckets.computeIfAbsent(user, u -> new Bucket(burst, now)).take(now);
  }

  /** Gives back what {@link #take} took for a request that made nothing. */
  void refund(String user) {
    Bucket b = buckets.get(user);
    if (b != null) {
      b.refund();
    }
  }

  /** How many ms until {@code user} may make a room again (0: now). */
  long waitMs(String user) {
    Bucket b = buckets.get(user);
    return b == null ? 0 : b.waitMs(Clocks.monotonicMillis());
  }

  private final class Bucket {
    private double tokens;
    private long last;

    Bucket(double tokens, long now) {
      this.tokens = tokens;
      this.last = now;
    }

    synchronized boolean take(long now) {
      refill(now);
      if (tokens < 1) {
        return false;
      }
      tokens -= 1;
      return true;
    }

    synchronized void refund() {
      tokens = Math.min(burst, tokens + 1);
    }

    synchronized long waitMs(long now) {
      refill(now);
      return tokens >= 1 ? 0 : Math.max(1, (long) Math.ceil((1 - tokens) / perMs));
    }

    synchronized boolean isFull(long now) {
      refill(now);
      return tokens >= burst;
    }

    private void refill(long now) {
      if (now > last) {
        tokens = Math.min(burst, tokens + (now - last) * perMs);
        last = now;
      }
    }
  }
}
