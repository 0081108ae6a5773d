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
 * <p>A read reserves the most its reply may take (the reply budget the room's partition cuts it
 * to) and gives back what it did not use once its reply is built: the replies under way never
 * add up past the budget before their sizes are known (reserving what replies took on average,
 * 1 500 requests that came at once were all let through before the first came back). Small
 * replies come back within a round trip, so a reconnect of many ordinary joins passes at
 * hundreds at once. Thread-safe: the gateway's event loops and the server API share it.
 */
public final class ReadBytes {

  private final double bytesPerMs;
  private final long burst;
  private double balance;
  private long last;

  public ReadBytes(long bytesPerSecond, long burst, long nowMillis) {
    this.bytesPerMs = bytesPerSecond / 1000.0;
    this.burst = burst;
    this.balance = burst;
    this.last = nowMillis;
  }

  /**
   * Sixteen connections' outbound limits a second, and as much at once: 16 MiB a second at the
   * defaults, thirty-two of the largest history pages at once or twenty-one joins with history,
   * each giving back what it did not use within its round trip; a thousand history pages of
   * ordinary messages a second. Measured with 300 connections asking for 512 KiB pages ten times
   * a second: a publish's p99 was 0.3 s at this rate (0.4 s at half of it), 3.7 s at four times
   * it. {@code switchboard.readBytesPerSecond} sets both (tests, and a node known to take more).
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
   * Reserves a reply of up to {@code most} bytes: what it reserved (to {@link #settle}), or 0
   * when the node's budget is spent ({@link #waitMs} says for how long).
   */
  public synchronized long reserve(long nowMillis, long most) {
    refill(nowMillis);
    if (balance <= 0) {
      return 0;
    }
    long reserved = Math.max(1, most);
    balance -= reserved;
    return reserved;
  }

  /** A reply that reserved {@code reserved} bytes took {@code used}: the rest comes back, or is owed. */
  public synchronized void settle(long nowMillis, long reserved, long used) {
    refill(nowMillis);
    balance += reserved - used;
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
