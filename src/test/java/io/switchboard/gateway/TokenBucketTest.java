package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The publish rate limit: {@code rate} frames a second, {@code burst} saved up; time is the caller's. */
class TokenBucketTest {

  private static final long T0 = 1_000_000L;

  private static TokenBucket bucket(int rate, int burst) {
    return new TokenBucket(rate, burst, T0);
  }

  private static void drain(TokenBucket b, int n, long now) {
    for (int i = 0; i < n; i++) {
      assertEquals(0, b.take(now), "take " + (i + 1) + " of " + n);
    }
  }

  @Test
  void newBucketGrantsTheWholeBurstAtOnce() {
    drain(bucket(20, 40), 40, T0);
  }

  @Test
  void oneMoreThanTheBurstIsRefused() {
    TokenBucket b = bucket(20, 40);
    drain(b, 40, T0);
    assertTrue(b.take(T0) > 0);
  }

  @Test
  void severalTokensAreTakenTogetherOrNotAtAll() {
    TokenBucket b = bucket(20, 40);
    assertEquals(0, b.take(T0, 35));
    assertEquals(50, b.take(T0, 6), "5 left: one more comes in 50 ms");
    assertEquals(0, b.take(T0, 5), "the refused take took none");
    assertTrue(b.take(T0) > 0);
    assertEquals(0, b.take(T0 + 500, 10), "ten more in half a second");
  }

  @Test
  void refusalSaysHowLongUntilTheNextToken() {
    TokenBucket b = bucket(20, 40);
    drain(b, 40, T0);
    assertEquals(50, b.take(T0), "20 a second: one token every 50 ms");
  }

  @Test
  void refusalDoesNotConsumeAToken() {
    TokenBucket b = bucket(20, 40);
    drain(b, 40, T0);
    b.take(T0);
    b.take(T0);
    assertEquals(0, b.take(T0 + 50), "refused takes cost nothing");
  }

  @Test
  void partialRefillShortensTheWait() {
    TokenBucket b = bucket(20, 40);
    drain(b, 40, T0);
    assertEquals(25, b.take(T0 + 25));
  }

  @Test
  void retryAfterIsAtLeastOneMillisecond() {
    TokenBucket b = bucket(1_000_000, 1);
    drain(b, 1, T0);
    assertEquals(1, b.take(T0));
  }

  @Test
  void aTokenIsBackAfterOneIntervalAndOnlyOne() {
    TokenBucket b = bucket(20, 40);
    drain(b, 40, T0);
    assertEquals(0, b.take(T0 + 50));
    assertTrue(b.take(T0 + 50) > 0);
  }

  @Test
  void retryingExactlyAfterRetryAfterMsSucceeds() {
    for (int rate : new int[] {1, 3, 7, 13, 20, 33, 60, 97, 1000}) {
      for (long offset = 0; offset < 40; offset += 3) {
        TokenBucket b = bucket(rate, 1);
        drain(b, 1, T0);
        long now = T0 + offset;
        long wait = b.take(now);
        if (wait == 0) {
          continue;
        }
        assertEquals(0, b.take(now + wait), "rate " + rate + ", refused at +" + offset + " ms, told to wait " + wait);
      }
    }
  }

  @Test
  void sustainedRateIsGrantedIndefinitely() {
    TokenBucket b = bucket(20, 40);
    drain(b, 40, T0);
    for (int i = 1; i <= 200; i++) {
      assertEquals(0, b.take(T0 + i * 50L), "frame " + i);
    }
  }

  @Test
  void idleTimeSavesUpAtMostTheBurst() {
    TokenBucket b = bucket(20, 40);
    drain(b, 40, T0);
    long later = T0 + 3_600_000;
    drain(b, 40, later);
    assertTrue(b.take(later) > 0);
  }

  @Test
  void clockGoingBackwardsAddsNoTokens() {
    TokenBucket b = bucket(20, 40);
    drain(b, 40, T0);
    assertTrue(b.take(T0 - 10_000) > 0);
    assertTrue(b.take(T0) > 0, "going back and forth in time does not mint tokens");
  }

  @Test
  void burstOfOneAllowsOneFrameAtATime() {
    TokenBucket b = bucket(1, 1);
    drain(b, 1, T0);
    assertEquals(1000, b.take(T0));
    assertEquals(0, b.take(T0 + 1000));
  }

  @Test
  void overOneSecondRateFramesAreGrantedOnTopOfTheBurst() {
    TokenBucket b = bucket(20, 40);
    int granted = 0;
    for (long t = T0; t <= T0 + 1000; t++) {
      while (b.take(t) == 0) {
        granted++;
      }
    }
    assertEquals(60, granted);
  }
}
