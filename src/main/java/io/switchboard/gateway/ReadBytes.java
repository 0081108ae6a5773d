package io.switchboard.gateway;

import io.switchboard.config.Config;

/**
 * What the node's read replies (history, joined, members, conversations; the server API's reads
 * of them) may take together: a token bucket of bytes, {@link #ratePerSecond} a second, shared by
 * every connection and API caller of the node. A connection's read bucket bounds its requests,
 * not their size: 300 connections asking for 100 messages of 60 KB, each 80-byte request a
 * 512 KiB reply, had the node build 3 GB of replies, its heap grow by as much, and other users'
 * messages wait 5 s. Past the budget a read is refused {@code rate_limited} with
 * {@code retryAfterMs}, which clients already wait out for a read's bucket.
 *
 * <p>A reply is reserved before it is asked for and settled for its length once built, so that
 * the replies under way count before their sizes are known. A history, members or conversations
 * read (and a join of a room joined already) reserves the most it may take: 300 connections
 * asking for 512 KiB pages at once, reserving a guess of 32 KiB each, were all let through, and
 * the first wave's 150 MB held other users' messages 2 s. A first join reserves its most too
 * while the node has twice that to spare. On a busy node it reserves twice what the last first
 * join of its room here took ({@link #REMEMBERED} rooms are kept), and its history is cut to
 * what it reserved (the caller's part: the room's partition cuts it), so that a guess too small
 * costs a shorter history, which clients page, never more bytes than reserved. Reserving its most
 * there too, 200 clients rejoining at once (a node died) were refused all but 21, for replies of
 * a few KB. A room not known here yet is learnt from one join, which takes what the node has to
 * spare (up to its most), while the other joins of that room wait for it ({@link #LEARNING}). A
 * single running average of joins, as before, was there for the taking: joins of small rooms
 * brought it down to 1 KiB, and then 300 first joins of a room of 60 KB messages went through
 * whole, 150 MB at once, as often as the joins' own bucket allowed.
 * Thread-safe: the gateway's event loops and the server API share it.
 */
public final class ReadBytes {

  /** What a join reserves before any was settled: 200 at once fit in a sixth of the default budget. */
  static final long FIRST_GUESS = 32 * 1024;
  /** What a join reserves at least, however small the last ones were. */
  static final long LEAST = 1024;
  /** Rooms whose first joins' sizes are kept, the least recently joined forgotten first. */
  static final int REMEMBERED = 4096;
  /** {@link #reserveJoin}'s answer while another join is learning the room's size: wait for {@link #learnt}. */
  public static final long LEARNING = -1;
  /**
   * How long a room's learning join may take before another takes over: longer than a join may
   * take (its deadline is 5 s), so that only a join that never settled (a defect) is taken over.
   */
  static final long LEARNING_MS = 10_000;

  private final double bytesPerMs;
  private final long burst;
  private double balance;
  private long last;
  private double joins = FIRST_GUESS;
  /** What the last first join of each room here took. */
  private final java.util.LinkedHashMap<String, Long> rooms = new java.util.LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(java.util.Map.Entry<String, Long> eldest) {
      return size() > REMEMBERED;
    }
  };
  /** Rooms a join is learning the size of: when it began, and the joins of the room waiting for it. */
  private final java.util.Map<String, Learning> learning = new java.util.HashMap<>();

  private record Learning(long since, java.util.List<io.vertx.core.Promise<Void>> waiting) {
  }

  public ReadBytes(long bytesPerSecond, long burst, long nowMillis) {
    this.bytesPerMs = bytesPerSecond / 1000.0;
    this.burst = burst;
    this.balance = burst;
    this.last = nowMillis;
  }

  /**
   * Sixteen connections' outbound limits a second, and as much at once: 16 MiB a second at the
   * defaults: thirty-two of the largest history pages at once, five hundred joins.
   * Measured with 300 connections asking for 512 KiB pages ten times a second: a publish's p99
   * was 0.3 to 0.5 s at this rate (0.4 s at half of it), 3.7 s at four times it (5 s unbounded).
   * {@code switchboard.readBytesPerSecond} sets both (tests, and a node known to take more).
   */
  public static ReadBytes of(Config.Limits limits, long nowMillis) {
    long rate = Math.max(1, Long.getLong("switchboard.readBytesPerSecond", 16L * limits.outboundBytes()));
    return new ReadBytes(rate, rate, nowMillis);
  }

  /** Bytes a second. */
  public long ratePerSecond() {
    return Math.round(bytesPerMs * 1000);
  }

  /**
   * Reserves a read reply of up to {@code most} bytes: what it reserved (to {@link #settle}), or
   * 0 when the node's budget is spent ({@link #waitMs} says for how long).
   */
  public synchronized long reserve(long nowMillis, long most) {
    return take(nowMillis, Math.max(1, most));
  }

  /**
   * Reserves a first join of {@code room}, whose reply may take up to {@code most} bytes: what
   * it reserved (to {@link #settleJoin}), 0 when the node's budget is spent, or {@link #LEARNING}
   * when another join is learning the room's size here (wait for {@link #learnt}, then ask again).
   */
  public synchronized long reserveJoin(long nowMillis, String room, long most) {
    refill(nowMillis);
    if (balance >= 2.0 * most) {
      return take(nowMillis, most); // not busy: whole, whatever the room grew to since its last join
    }
    Long known = rooms.get(room);
    if (known != null) {
      return take(nowMillis, bounded(2.0 * known, most)); // twice: room for what came since
    }
    Learning under = learning.get(room);
    if (under != null && nowMillis - under.since() < LEARNING_MS) {
      return LEARNING;
    }
    // the one join learning a room takes what the node has to spare, up to its most, or what
    // joins took of late when that is more
    long learner = take(nowMillis, Math.max(bounded(joins, most), Math.min(most, (long) balance)));
    if (learner > 0) {
      learning.put(room, new Learning(nowMillis, under == null ? new java.util.ArrayList<>() : under.waiting()));
    }
    return learner;
  }

  private static long bounded(double guess, long most) {
    return Math.max(1, Math.min(most, Math.max(LEAST, Math.round(guess))));
  }

  /**
   * Completes (on the caller's context) once the join learning {@code room}'s size has settled:
   * at once when none is.
   */
  public io.vertx.core.Future<Void> learnt(String room) {
    io.vertx.core.Promise<Void> promise = io.switchboard.ops.Promises.here();
    synchronized (this) {
      Learning under = learning.get(room);
      if (under != null) {
        under.waiting().add(promise);
        return promise.future();
      }
    }
    promise.complete();
    return promise.future();
  }

  /** A read that reserved {@code reserved} bytes took {@code used} (0: it failed): the rest comes back, or is owed. */
  public synchronized void settle(long nowMillis, long reserved, long used) {
    refill(nowMillis);
    balance += reserved - used;
  }

  /**
   * {@link #settle} for a first join of {@code room}: what it took is what the next is reserved,
   * and the joins that waited for it go on.
   */
  public void settleJoin(long nowMillis, String room, long reserved, long used) {
    Learning learnt;
    synchronized (this) {
      settle(nowMillis, reserved, used);
      if (used > 0) {
        joins += (used - joins) / 4;
        rooms.put(room, used);
      }
      learnt = learning.remove(room);
    }
    if (learnt != null) {
      learnt.waiting().forEach(io.vertx.core.Promise::tryComplete);
    }
  }

  /**
   * {@code reply}, once built, settled for its length (0 when it failed): what a read that
   * reserved {@code reserved} bytes answers with.
   */
  public io.vertx.core.Future<String> settledWhenBuilt(long reserved, io.vertx.core.Future<String> reply) {
    return reply.andThen(ar -> settle(io.switchboard.ops.Clocks.monotonicMillis(), reserved,
        ar.succeeded() ? ar.result().length() : 0));
  }

  /** What a refusal says: the node's budget, spent by all its {@code callers} together, not the caller's own. */
  public String refusal(String callers) {
    return "this node is sending as many history, members and conversations replies as it may (" + ratePerSecond()
        + " bytes a second, for all its " + callers + ")";
  }

  /** The bytes to spare now (negative: owed). For tests. */
  synchronized long balance(long nowMillis) {
    refill(nowMillis);
    return (long) Math.floor(balance);
  }

  /** How many ms until a read would be let through (at least 1). */
  public synchronized long waitMs(long nowMillis) {
    refill(nowMillis);
    return Math.max(1, (long) Math.ceil((1 - balance) / bytesPerMs));
  }

  private long take(long nowMillis, long bytes) {
    refill(nowMillis);
    if (balance <= 0) {
      return 0;
    }
    balance -= bytes;
    return bytes;
  }

  private void refill(long nowMillis) {
    if (nowMillis > last) {
      balance = Math.min(burst, balance + (nowMillis - last) * bytesPerMs);
      last = nowMillis;
    }
  }
}
