package io.switchboard.gateway;

import io.switchboard.config.Config;

/**
 * The sizes of a caller's token buckets, from {@code limits}, in one place: a connection's and
 * the server API's share them, and the frames' bucket must stay above all the others together.
 */
public final class Buckets {

  /** Reads' floor, whatever limits.rate and maxRooms say: a page that scrolls or fills gaps is not a flood. */
  static final int READS_PER_SECOND = 20;
  static final int READ_BURST = 40;

  private Buckets() {
  }

  /**
   * The read tokens a conversations read of up to {@code limit} takes: one per ten, for each
   * listed conversation's newest message (up to 64 KiB) is read from the cluster, so that a token
   * costs about what a history page's does. A connection's and the server API's alike.
   */
  public static int conversationsReadCost(int limit) {
    return (limit + 9) / 10;
  }

  /** Publish and private messages: {@code limits.rate} a second, a burst of {@code limits.burst}. */
  public static TokenBucket messages(Config.Limits limits, long now) {
    return new TokenBucket(limits.rate(), limits.burst(), now);
  }

  /** Joins of rooms not joined yet: {@code limits.rate} a second, a burst that rejoins {@code maxRooms} twice. */
  static TokenBucket joins(Config.Limits limits, long now) {
    return new TokenBucket(limits.rate(), joinBurst(limits), now);
  }

  /**
   * A user's connects to one node: five times {@code limits.maxConnectionsPerUser} a second, a
   * burst of ten times (50 and 100 at the defaults). Each connect is a cluster call (and once
   * brought a fresh burst of joins, now handed on: {@link SpentLimits}): a client reconnecting
   * in a loop made thousands a second. Held to the limit itself (10 a second, a
   * burst of 20), a test suite that signs in as the same user in test after test was refused.
   */
  static TokenBucket connects(Config.Limits limits, long now) {
    long perUser = limits.maxConnectionsPerUser();
    return new TokenBucket(capped(5 * perUser), capped(10 * perUser), now);
  }

  /** Reads (history, members, refresh, a join of a room joined already; the server API's GETs). */
  public static TokenBucket reads(Config.Limits limits, long now) {
    return new TokenBucket(readRate(limits), readBurst(limits), now);
  }

  /** Every frame a connection sends (see {@link ClientSession#takeFrame}). */
  static TokenBucket frames(Config.Limits limits, long now) {
    return new TokenBucket(frameRate(limits), frameBurst(limits), now);
  }

  /** Reads a second: {@code limits.rate}, but at least {@link #READS_PER_SECOND}. */
  public static int readRate(Config.Limits limits) {
    return Math.max(limits.rate(), READS_PER_SECOND);
  }

  static int readBurst(Config.Limits limits) {
    return Math.max(2 * limits.maxRooms(), READ_BURST);
  }

  static int joinBurst(Config.Limits limits) {
    return Math.max(limits.burst(), 2 * limits.maxRooms());
  }

  /**
   * Frames a second a connection may send, of any kind: well above what its buckets let through
   * (publishes at {@code limits.rate}, reads, joins, a ping now and then), so that only a client
   * that floods is held back. {@code switchboard.frameRate} sets it (tests of the loop's own
   * fairness under a flood).
   */
  static int frameRate(Config.Limits limits) {
    long derived = Math.max(100L, 4L * readRate(limits));
    return capped(Long.getLong("switchboard.frameRate", derived));
  }

  /**
   * The frames a connection may send at once: twice the frame rate, and at least twice what its
   * buckets let through at once (a page rejoining {@code maxRooms} rooms after a reconnect, its
   * reads, a burst of publishes), so that a legitimate burst is never held back. As much again
   * in debt closes the connection with 4008: frames that the node cannot hold back (WebSocket
   * pings, which Vert.x reads on whatever the pause) or that came faster than any client needs.
   */
  static int frameBurst(Config.Limits limits) {
    long buckets = (long) limits.burst() + joinBurst(limits) + readBurst(limits);
    return capped(Math.max(2L * frameRate(limits), 2 * buckets));
  }

  /** A size derived from configured ones, kept far enough under int's end that sums and doubles of it stay ints. */
  private static int capped(long n) {
    return (int) Math.min(Integer.MAX_VALUE / 4, n);
  }
}
