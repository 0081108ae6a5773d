package io.switchboard.gateway;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a user's closed connections on this node had spent of their limits, kept until it is
 * back at rest: the user's next connection here takes it over. The rate limits are a
 * connection's (PROTOCOL.md), and each connection's buckets start full; without this a client
 * that reconnected after every 40 publishes got a fresh burst each time (50 reconnects a second
 * at the defaults, 2 000 messages a second) and never reached the 4008 of twenty refusals.
 * One map per node, shared by its event loops; at most {@link #MAX} entries (past that a closed
 * connection's spending is forgotten, as before), each gone once its buckets have refilled.
 */
public final class SpentLimits {

  static final int MAX = 10_000;

  /** A closed connection's buckets (null: never made) and refusals, at rest again at {@code restsAt}. */
  record Spent(TokenBucket messages, TokenBucket frames, TokenBucket joins, TokenBucket reads,
               RefusalWindow refusals, long restsAt) {
  }

  private final ConcurrentHashMap<String, ArrayDeque<Spent>> byUser = new ConcurrentHashMap<>();
  private final AtomicInteger size = new AtomicInteger();
  private final int perUser;

  /** {@code perUser}: the most kept for one user (its connections allowed at once). */
  public SpentLimits(int perUser) {
    this.perUser = Math.max(1, perUser);
  }

  /** Keeps what {@code user}'s closed connection spent, unless it is at rest already. */
  void keep(String user, Spent spent, long now) {
    if (spent.restsAt() <= now) {
      return;
    }
    if (size.get() >= MAX) {
      prune(now);
      if (size.get() >= MAX) {
        return;
      }
    }
    byUser.compute(user, (k, kept) -> {
      ArrayDeque<Spent> q = kept == null ? new ArrayDeque<>() : kept;
      q.addLast(spent);
      size.incrementAndGet();
      if (q.size() > perUser) {
        q.pollFirst(); // the oldest, the nearest to rest
        size.decrementAndGet();
      }
      return q;
    });
  }

  /** What one of {@code user}'s closed connections spent and has not got back yet; null if none. */
  Spent take(String user, long now) {
    Spent[] taken = new Spent[1];
    byUser.computeIfPresent(user, (k, q) -> {
      while (!q.isEmpty() && taken[0] == null) {
        Spent s = q.pollLast(); // the latest, the most spent
        size.decrementAndGet();
        if (s.restsAt() > now) {
          taken[0] = s;
        }
      }
      return q.isEmpty() ? null : q;
    });
    return taken[0];
  }

  /** How many are kept (tests). */
  int size() {
    return size.get();
  }

  private void prune(long now) {
    for (String user : byUser.keySet()) {
      byUser.computeIfPresent(user, (k, q) -> {
        int before = q.size();
        q.removeIf(s -> s.restsAt() <= now);
        size.addAndGet(q.size() - before);
        return q.isEmpty() ? null : q;
      });
    }
  }
}
