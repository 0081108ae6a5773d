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
 * read reserves the most it may take: 300 connections asking for 512 KiB pages at once,
 * reserving a guess of 32 KiB each, were all let through, and the first wave's 150 MB held other
 * users' messages 2 s. A join reserves what joins took of late (a running average, starting at
 * {@link #FIRST_GUESS}): 200 clients rejoining at once (a node died), each reserving the 768 KiB
 * a joined reply may take, were refused all but 21, for replies of a few KB. Such a wave of
 * first joins to a room of large messages is still let through whole, once: one join per
 * connection (its steps run one at a time), and the average has learnt it by the next.
 * Thread-safe: the gateway's event loops and the server API share it.
 */
public final class ReadBytes {

  /**
   * What a reply reserves: a join of a room not joined yet what those took of late, any other
   * read (a join of a room joined already among them) the most it may take.
   */
  public enum Kind { JOIN, READ }

  /** What a join reserves before any was settled: 200 at once fit in a sixth of the default budget. */
  static final long FIRST_GUESS = 32 * 1024;
  /** What a join reserves at least, however small the last ones were. */
  static final long LEAST = 1024;

  private final double bytesPerMs;
  private final long burst;
  private double balance;
  private long last;
  private double joins = FIRST_GUESS;

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
   * Reserves a reply of {@code kind} of up to {@code most} bytes: what it reserved (to
   * {@link #settle}), or 0 when the node's budget is spent ({@link #waitMs} says for how long).
   */
  public synchronized long reserve(long nowMillis, Kind kind, long most) {
    refill(nowMillis);
    if (balance <= 0) {
      return 0;
    }
    long reserved = Math.max(1, kind == Kind.READ ? most : Math.min(most, Math.max(LEAST, Math.round(joins))));
    balance -= reserved;
    return reserved;
  }

  /**
   * A reply of {@code kind} that reserved {@code reserved} bytes took {@code used} (0: it
   * failed): the rest comes back, or is owed.
   */
  public synchronized void settle(long nowMillis, Kind kind, long reserved, long used) {
    refill(nowMillis);
    balance += reserved - used;
    if (kind == Kind.JOIN && used > 0) {
      joins += (used - joins) / 4;
    }
  }

  /**
   * {@code reply}, once built, settled for its length (0 when it failed): what a read that
   * reserved {@code reserved} bytes answers with.
   */
  public io.vertx.core.Future<String> settledWhenBuilt(Kind kind, long reserved, io.vertx.core.Future<String> reply) {
    return reply.andThen(ar -> settle(io.switchboard.ops.Clocks.monotonicMillis(), kind, reserved,
        ar.succeeded() ? ar.result().length() : 0));
  }

  /** What a refusal says: the node's budget, spent by all its {@code callers} together, not the caller's own. */
  public String refusal(String callers) {
    return "this node is sending as many history, members and conversations replies as it may (" + ratePerSecond()
        + " bytes a second, for all its " + callers + ")";
  }

  /** How many ms until a read would be let through (at least 1). */
  public synchronized long waitMs(long nowMillis) {
    refill(nowMillis);
    return Math.max(1, (long) Math.ceil((1 - balance) / bytesPerMs));
  }

  private void refill(long nowMillis) {
    if (nowMillis > last) {
      balance = Math.min(burst, balance + (nowMillis - last) * bytesPerMs);
      last = nowMillis;
    }
  }
}
