package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 6: {@code rate_limited} 20 times within any 10 seconds (sliding) is abuse. */
class RefusalWindowTest {

  private static final int MAX = 20;
  private static final long WINDOW = 10_000;
  private static final long T0 = 5_000_000L;

  private final RefusalWindow window = new RefusalWindow(MAX, WINDOW);

  @Test
  void nineteenRefusalsAreNotAbuse() {
    for (int i = 0; i < MAX - 1; i++) {
      assertFalse(window.record(T0 + i), "refusal " + (i + 1));
    }
  }

  @Test
  void twentiethRefusalInTheWindowIsAbuse() {
    for (int i = 0; i < MAX - 1; i++) {
      window.record(T0);
    }
    assertTrue(window.record(T0));
  }

  @Test
  void twentyRefusalsSpreadOverJustUnderTheWindowAreAbuse() {
    for (int i = 0; i < MAX - 1; i++) {
      window.record(T0 + i * 500L);
    }
    assertTrue(window.record(T0 + WINDOW - 1));
  }

  @Test
  void refusalsOlderThanTheWindowNoLongerCount() {
    for (int i = 0; i < MAX - 1; i++) {
      window.record(T0);
    }
    assertFalse(window.record(T0 + WINDOW), "the first 19 are 10 s old");
  }

  @Test
  void windowSlidesRatherThanResetting() {
    // 10 refusals early, 10 late in the first window: the late ten plus ten more right after it make 20
    for (int i = 0; i < 10; i++) {
      window.record(T0 + i);
    }
    for (int i = 0; i < 10; i++) {
      window.record(T0 + 9_000 + i);
    }
    for (int i = 0; i < 9; i++) {
      assertFalse(window.record(T0 + 10_500 + i), "refusal " + (i + 1) + " after the slide");
    }
    assertTrue(window.record(T0 + 10_600));
  }

  @Test
  void steadyRefusalsBelowTheThresholdNeverTrigger() {
    // one refusal every 600 ms: at most 17 in any 10 s
    for (int i = 0; i < 200; i++) {
      assertFalse(window.record(T0 + i * 600L), "refusal " + (i + 1));
    }
  }

  @Test
  void abuseStaysReportedWhileRefusalsContinue() {
    for (int i = 0; i < MAX; i++) {
      window.record(T0);
    }
    assertTrue(window.record(T0 + 1));
  }
}
