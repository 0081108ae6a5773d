package io.switchboard.gateway;

/**
 * A token bucket for one kind of a connection's frames (publish and private, joins of new rooms,
 * reads): {@code rate} tokens a second, at most
 * {@code burst} saved up. Plain arithmetic on the caller's clock, which must not go back
 * ({@link io.switchboard.ops.Clocks#monotonicMillis}); one per connection, used on its loop only
 * (a closed connection hands on a copy: {@link SpentLimits}).
 */
public final class TokenBucket {

  private final double ratePerMs;
  private final int burst;
  private double tokens;
  private long last;

  public TokenBucket(int ratePerSecond, int burst, long nowMillis) {
    this.ratePerMs = ratePerSecond / 1000.0;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowMillis;
  }

  /** Takes a token: 0 when granted, else how many ms until one is available. */
  public long take(long nowMillis) {
    return take(nowMillis, 1);
  }

  /** Takes {@code n} tokens (the burst, if more) or none: 0 when granted, else how many ms until there are. */
  public long take(long nowMillis, int n) {
    n = Math.min(n, burst); // more would never be there
    refill(nowMillis);
    if (tokens >= n) {
      tokens -= n;
      return 0;
    }
    return Math.max(1, (long) Math.ceil((n - tokens) / ratePerMs));
  }

  /**
   * Takes a token whether or not there is one, going into debt: 0 while the bucket is not in
   * debt, else how many ms until it is out of it. For what cannot be refused, only slowed down
   * (a frame already read from the socket).
   */
  public long charge(long nowMillis) {
    refill(nowMillis);
    tokens -= 1;
    return waitMs(nowMillis);
  }

  /** Whether the bucket holds its whole burst again: a fresh one would be the same. */
  public boolean full(long nowMillis) {
    refill(nowMillis);
    return tokens >= burst;
  }

  /** How many tokens the bucket owes (0: none). */
  public long debt(long nowMillis) {
    refill(nowMillis);
    return tokens >= 0 ? 0 : (long) Math.ceil(-tokens);
  }

  /** How many ms until the bucket is out of debt (0: it is not in debt). */
  public long waitMs(long nowMillis) {
    refill(nowMillis);
    return tokens >= 0 ? 0 : Math.max(1, (long) Math.ceil(-tokens / ratePerMs));
  }

  /**
   * A copy as of {@code nowMillis}, out of debt: what a closed connection hands on is how empty
   * it was, not frames it owed ({@link SpentLimits}).
   */
  public TokenBucket copyWithoutDebt(long nowMillis) {
    refill(nowMillis);
    return new TokenBucket(ratePerMs, burst, Math.max(0, tokens), last);
  }

  private TokenBucket(double ratePerMs, int burst, double tokens, long last) {
    this.ratePerMs = ratePerMs;
    this.burst = burst;
    this.tokens = tokens;
    this.last = last;
  }

  /** When the bucket holds its whole burst again, if nothing more is taken. */
  public long fullAt(long nowMillis) {
    refill(nowMillis);
    return tokens >= burst ? nowMillis : nowMillis + (long) Math.ceil((burst - tokens) / ratePerMs);
  }

  private void refill(long nowMillis) {
    if (nowMillis > last) {
      tokens = Math.min(burst, tokens + (nowMillis - last) * ratePerMs);
      last = nowMillis;
    }
  }
}
