package io.switchboard.ops;

/**
 * Time spans (heartbeats, rate buckets) are measured on a clock that only goes forward: a wall
 * clock stepped forward by NTP or a resumed VM would close every socket as silent at once, and
 * one stepped back would stop every bucket's refill. Wall time stays for what it names: token
 * expiry, timestamps.
 */
public final class Clocks {

  private Clocks() {
  }

  /** Milliseconds from an arbitrary origin, never going back; for differences only. */
  public static long monotonicMillis() {
    return System.nanoTime() / 1_000_000;
  }
}
