package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.switchboard.room.EncodedFrame;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecentFramesTest {

  private static List<String> texts(List<EncodedFrame> frames) {
    return frames.stream().map(EncodedFrame::text).toList();
  }

  @Test
  void keepsTheNewestFramesAndSaysWhenOlderOnesAreGone() {
    RecentFrames recent = new RecentFrames(4, Long.MAX_VALUE);
    assertNull(recent.between(0, Long.MAX_VALUE), "nothing kept: the log is read");
    for (long seq = 1; seq <= 10; seq++) {
      recent.add(seq, EncodedFrame.of("m" + seq));
    }
    assertEquals(List.of("m8", "m9", "m10"), texts(recent.between(7, Long.MAX_VALUE)));
    assertEquals(List.of("m7", "m8", "m9", "m10"), texts(recent.between(6, Long.MAX_VALUE)), "the whole ring, oldest first");
    assertEquals(List.of("m8"), texts(recent.between(7, 8)));
    assertNull(recent.between(5, Long.MAX_VALUE), "seq 6 went: not all after 5 are kept");
    assertEquals(List.of(), recent.between(10, Long.MAX_VALUE));
  }

  @Test
  void keepsWithinItsBytesButAlwaysTheNewest() {
    RecentFrames recent = new RecentFrames(64, 25);
    recent.add(1, EncodedFrame.of("a".repeat(10)));
    recent.add(2, EncodedFrame.of("b".repeat(10)));
    recent.add(3, EncodedFrame.of("c".repeat(10)));
    assertNull(recent.between(0, Long.MAX_VALUE), "30 bytes: the oldest went");
    assertEquals(2, recent.between(1, Long.MAX_VALUE).size());
    recent.add(4, EncodedFrame.of("d".repeat(100)));
    assertEquals(List.of("d".repeat(100)), texts(recent.between(3, Long.MAX_VALUE)), "over the bytes alone, yet kept");
    assertNull(recent.between(2, Long.MAX_VALUE));
  }

  @Test
  void aClearedRingKeepsNothingOfTheOldLogAndFillsAgain() {
    RecentFrames recent = new RecentFrames(8, Long.MAX_VALUE);
    for (long seq = 1; seq <= 20; seq++) {
      recent.add(seq, EncodedFrame.of("old" + seq));
    }
    recent.clear();
    assertNull(recent.between(19, Long.MAX_VALUE));
    recent.add(1, EncodedFrame.of("new1"));
    recent.add(2, EncodedFrame.of("new2"));
    assertEquals(List.of("new1", "new2"), texts(recent.between(0, Long.MAX_VALUE)));
    recent.release();
    assertNull(recent.between(0, Long.MAX_VALUE));
    recent.add(3, EncodedFrame.of("after"));
    assertEquals(List.of("after"), texts(recent.between(2, Long.MAX_VALUE)));
  }
}
