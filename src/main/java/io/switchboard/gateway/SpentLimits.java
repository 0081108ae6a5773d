package io.switchboard.gateway;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reconnecting does not refill a connection's rate limits. The limits are a connection's
 * (PROTOCOL.md), and a user may have {@code perUser} connections: so a user's connections on
 * this node are that many places, and a new connection takes the place of a closed one. While
 * the user's open connections and closed ones not yet back at rest fill every place, a new
 * connection goes on from the most rested closed one (its buckets and refused publishes);
 * otherwise it starts fresh. Before, every connection started with a full burst, and a client
 * that reconnected after every 40 publishes published as fast as it could reconnect (2 000 a
 * second at the defaults) and never met the 4008 of twenty refusals. Now reconnecting gives no
 * more than {@code perUser} connections open together would have.
 *
 * <p>One map per node, shared by its event loops; each user's entry changes inside one
 * {@code compute}. A closed connection's state is kept as a copy (its session may still touch
 * its own on its loop), for at most until it would have refilled, and at most {@link #MAX} of
 * them (past that one is forgotten, as before).
 */
public final class SpentLimits {

  static final int MAX = 10_000;
  private static final long PRUNE_EVERY_MS = 1_000;

  /** A closed connection's buckets (null: never made) and refusals, at rest again at {@code restsAt}. */
  record Spent(TokenBucket messages, TokenBucket frames, TokenBucket joins, TokenBucket reads,
               RefusalWindow refusals, long restsAt) {

    /** Copies of a connection's buckets (out of debt) and {@code refusals}, at rest when all are. */
    static Spent of(TokenBucket messages, TokenBucket frames, TokenBucket joins, TokenBucket reads,
                    RefusalWindow refusals, long now) {
      TokenBucket[] copies = new TokenBucket[] {messages, frames, joins, reads};
      long restsAt = refusals.emptyAt();
      for (int i = 0; i < copies.length; i++) {
        if (copies[i] != null) {
          copies[i] = copies[i].copyWithoutDebt(now);
          restsAt = Math.max(restsAt, copies[i].fullAt(now));
        }
      }
      return new Spent(copies[0], copies[1], copies[2], copies[3], refusals, restsAt);
    }
  }

  /** A user's connections here: those open, and the closed ones not at rest yet. */
  private static final class User {
    int open;
    final ArrayDeque<Spent> closed = new ArrayDeque<>();

    /** The closed one nearest to rest (there is one). */
    Spent mostRested() {
      return closed.stream().min(Comparator.comparingLong(Spent::restsAt)).orElseThrow();
    }

    /** This entry, or null when it has nothing left to keep (a compute then removes it). */
    User orNoneIfIdle() {
      return open == 0 && closed.isEmpty() ? null : this;
    }
  }

  private final ConcurrentHashMap<String, User> users = new ConcurrentHashMap<>();
  private final AtomicInteger kept = new AtomicInteger();
  private final AtomicLong prunedAt = new AtomicLong(Long.MIN_VALUE / 2); // far back, without overflow
  private final int perUser;

  /** {@code perUser}: a user's connections allowed at once ({@code limits.maxConnectionsPerUser}). */
  public SpentLimits(int perUser) {
    this.perUser = Math.max(1, perUser);
  }

  /**
   * A connection of {@code user} opens: what it goes on from, or null to start fresh. Every
   * call is matched by one {@link #closed}.
   */
  Spent opened(String user, long now) {
    Spent[] taken = new Spent[1];
    users.compute(user, (k, u) -> {
      User entry = u == null ? new User() : u;
      dropRested(entry, now);
      if (!entry.closed.isEmpty() && entry.open + entry.closed.size() >= perUser) {
        Spent rested = entry.mostRested();
        entry.closed.remove(rested);
        kept.decrementAndGet();
        taken[0] = rested;
      }
      entry.open++;
      return entry;
    });
    return taken[0];
  }

  /** A connection of {@code user} closed, having spent {@code spent} (null: nothing to keep). */
  void closed(String user, Spent spent, long now) {
    pruneNowAndThen(now);
    users.compute(user, (k, u) -> {
      User entry = u == null ? new User() : u;
      entry.open = Math.max(0, entry.open - 1);
      dropRested(entry, now);
      if (spent != null && spent.restsAt() > now && kept.get() < MAX) {
        entry.closed.addLast(spent);
        kept.incrementAndGet();
        if (entry.closed.size() > perUser) { // more closed than places: the most rested goes
          entry.closed.remove(entry.mostRested());
          kept.decrementAndGet();
        }
      }
      return entry.orNoneIfIdle();
    });
  }

  /** Closed connections kept (tests). */
  int kept() {
    return kept.get();
  }

  /** Users with an entry (tests). */
  int users() {
    return users.size();
  }

  private void dropRested(User entry, long now) {
    int before = entry.closed.size();
    entry.closed.removeIf(s -> s.restsAt() <= now);
    kept.addAndGet(entry.closed.size() - before);
  }

  /**
   * Drops what came to rest for users who did not come back: once past half of {@link #MAX},
   * at most once a second (a scan of every user's entry), so that the map does not fill with them.
   */
  private void pruneNowAndThen(long now) {
    long last = prunedAt.get();
    if (kept.get() < MAX / 2 || now - last < PRUNE_EVERY_MS || !prunedAt.compareAndSet(last, now)) {
      return;
    }
    for (String user : users.keySet()) {
      users.computeIfPresent(user, (k, entry) -> {
        dropRested(entry, now);
        return entry.orNoneIfIdle();
      });
    }
  }
}
