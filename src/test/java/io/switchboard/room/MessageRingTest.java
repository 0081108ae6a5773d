package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The retained tail of a room's log: contiguous seqs, the oldest evicted at capacity. */
class MessageRingTest {

  private static MessageRing ring(int capacity, int messages) {
    MessageRing r = new MessageRing(capacity, 0);
    for (int i = 1; i <= messages; i++) {
      r.append("m" + i, capacity);
    }
    return r;
  }

  private static List<String> range(long from, long to) {
    List<String> out = new ArrayList<>();
    for (long i = from; i <= to; i++) {
      out.add("m" + i);
    }
    return out;
  }

  @Test
  void emptyRingHasNothingAndFirstSeqIsOneAfterLast() {
    MessageRing r = new MessageRing(5, 0);
    assertEquals(0, r.size());
    assertEquals(0, r.lastSeq());
    assertEquals(1, r.firstSeq());
    assertEquals(List.of(), r.all());
    assertEquals(List.of(), r.slice(1, 10));
  }

  @Test
  void emptyRingContinuingAnEarlierLogStartsAfterItsLastSeq() {
    MessageRing r = new MessageRing(5, 41);
    assertEquals(42, r.firstSeq());
    r.append("m42", 5);
    assertEquals(42, r.lastSeq());
    assertEquals(List.of("m42"), r.slice(0, 100));
  }

  @Test
  void appendAssignsConsecutiveSeqs() {
    MessageRing r = ring(5, 3);
    assertEquals(3, r.size());
    assertEquals(1, r.firstSeq());
    assertEquals(3, r.lastSeq());
    assertEquals(range(1, 3), r.all());
  }

  @Test
  void ringFilledExactlyToCapacityEvictsNothing() {
    MessageRing r = ring(5, 5);
    assertEquals(5, r.size());
    assertEquals(1, r.firstSeq());
    assertEquals(range(1, 5), r.all());
  }

  @Test
  void oneMoreThanCapacityEvictsTheOldest() {
    MessageRing r = ring(5, 6);
    assertEquals(5, r.size());
    assertEquals(2, r.firstSeq());
    assertEquals(6, r.lastSeq());
    assertEquals(range(2, 6), r.all());
  }

  @Test
  void wrapAroundManyTimesKeepsTheLatestInOrder() {
    MessageRing r = ring(5, 23);
    assertEquals(19, r.firstSeq());
    assertEquals(range(19, 23), r.all());
  }

  @Test
  void capacityOneKeepsOnlyTheLatest() {
    MessageRing r = ring(1, 4);
    assertEquals(List.of("m4"), r.all());
    assertEquals(4, r.firstSeq());
  }

  @Test
  void sliceIsInclusiveOnBothEnds() {
    assertEquals(range(2, 4), ring(10, 6).slice(2, 4));
  }

  @Test
  void sliceOfOneSeq() {
    assertEquals(List.of("m3"), ring(10, 6).slice(3, 3));
  }

  @Test
  void sliceIsClampedToWhatIsRetained() {
    MessageRing r = ring(5, 12); // retains 8..12
    assertEquals(range(8, 12), r.slice(0, 100));
    assertEquals(range(8, 9), r.slice(3, 9));
    assertEquals(range(11, 12), r.slice(11, 40));
  }

  @Test
  void sliceEntirelyEvictedOrInTheFutureIsEmpty() {
    MessageRing r = ring(5, 12);
    assertEquals(List.of(), r.slice(1, 7));
    assertEquals(List.of(), r.slice(13, 20));
  }

  @Test
  void sliceWithFromAfterToIsEmpty() {
    assertEquals(List.of(), ring(5, 5).slice(4, 2));
  }

  @Test
  void sliceAcrossTheWrapPointIsInOrder() {
    MessageRing r = ring(4, 6); // slots hold m5 m6 m3 m4
    assertEquals(range(3, 6), r.slice(3, 6));
    assertEquals(range(4, 5), r.slice(4, 5));
  }

  @Test
  void sliceWithExtremeBoundsDoesNotOverflow() {
    assertEquals(range(1, 3), ring(5, 3).slice(Long.MIN_VALUE, Long.MAX_VALUE));
  }

  @Test
  void growingKeepsEveryMessageAndStopsEvicting() {
    MessageRing r = ring(3, 5); // retains 3..5
    r.append("m6", 6);
    r.append("m7", 6);
    r.append("m8", 6);
    assertEquals(range(3, 8), r.all());
    r.append("m9", 6);
    assertEquals(range(4, 9), r.all());
  }

  @Test
  void shrinkingKeepsTheLatest() {
    MessageRing r = ring(10, 8);
    r.append("m9", 3);
    assertEquals(range(7, 9), r.all());
    assertEquals(7, r.firstSeq());
    r.append("m10", 3);
    assertEquals(range(8, 10), r.all());
  }

  @Test
  void shrinkingAfterWrapAroundKeepsTheLatestInOrder() {
    MessageRing r = ring(4, 7);
    r.append("m8", 2);
    assertEquals(range(7, 8), r.all());
  }

  @Test
  void restoreRebuildsTheSameWindow() {
    MessageRing r = MessageRing.restore(5, 12, range(8, 12));
    assertEquals(8, r.firstSeq());
    assertEquals(12, r.lastSeq());
    assertEquals(range(8, 12), r.all());
    r.append("m13", 5);
    assertEquals(range(9, 13), r.all());
  }

  @Test
  void restoreWithMoreMessagesThanCapacityKeepsThemAll() {
    MessageRing r = MessageRing.restore(2, 5, range(1, 5));
    assertEquals(range(1, 5), r.all());
  }

  @Test
  void restoreOfAnEmptyLogKeepsItsLastSeq() {
    MessageRing r = MessageRing.restore(5, 30, List.of());
    assertEquals(30, r.lastSeq());
    assertEquals(31, r.firstSeq());
    assertEquals(List.of(), r.all());
  }

  @Test
  void slotsGrowWithTheLogUpToTheCapacityAndWrapInOrderThere() {
    MessageRing r = new MessageRing(100, 0);
    assertEquals(0, r.allocated(), "a room without messages holds no slots");
    r.append("m1", 100);
    assertEquals(16, r.allocated(), "nor a full-size array once it has some");
    for (int seq = 2; seq <= 16; seq++) {
      r.append("m" + seq, 100);
    }
    assertEquals(16, r.allocated());
    r.append("m17", 100);
    assertEquals(32, r.allocated());
    assertEquals(range(1, 17), r.all());
    for (int seq = 18; seq <= 250; seq++) {
      r.append("m" + seq, 100);
    }
    assertEquals(100, r.allocated(), "never past the capacity");
    assertEquals(range(151, 250), r.all());
    assertEquals(range(240, 250), r.slice(240, 300));
  }

  @Test
  void growingTheCapacityOfAFullRingKeepsEverythingAndGrowsFurtherOnDemand() {
    MessageRing r = ring(20, 30); // retains 11..30, wrapped
    for (int seq = 31; seq <= 80; seq++) {
      r.append("m" + seq, 64);
    }
    assertEquals(range(17, 80), r.all());
    assertEquals(64, r.allocated());
  }

  @Test
  void messagesOfAnyLengthAndScriptComeBackIntactAcrossWrapsGrowthAndShrinking() {
    java.util.Random random = new java.util.Random(7);
    java.util.ArrayDeque<String> model = new java.util.ArrayDeque<>();
    MessageRing r = new MessageRing(5, 0);
    int capacity = 5;
    for (int seq = 1; seq <= 2_000; seq++) {
      if (seq % 500 == 0) {
        capacity = capacity == 5 ? 40 : 3; // grow, then shrink below what is retained
      }
      StringBuilder text = new StringBuilder("{\"seq\":" + seq + ",\"text\":\"");
      int length = random.nextInt(seq % 97 == 0 ? 5_000 : 300);
      for (int c = 0; c < length; c++) {
        text.append(switch (random.nextInt(4)) {
          case 0 -> "é";
          case 1 -> "😀";
          default -> "a";
        });
      }
      String message = text.append("\"}").toString();
      r.append(message, capacity);
      model.addLast(message);
      while (model.size() > capacity) {
        model.removeFirst();
      }
      assertEquals(List.copyOf(model), r.all(), "after seq " + seq);
    }
    assertEquals(2_000, r.lastSeq());
  }

  /** An append's id finds its message's seq while the message is retained, across the ring's wrap. */
  @Test
  void anAppendsIdFindsItsSeqWhileRetained() {
    MessageRing r = new MessageRing(16, 0);
    assertEquals(-1, r.seqOf(5));
    for (long seq = 1; seq <= 40; seq++) {
      r.append("m" + seq, 16, seq * 1_000_003);
      for (long back = Math.max(1, seq - 15); back <= seq; back++) {
        assertEquals(back, r.seqOf(back * 1_000_003), "after " + seq + " appends");
      }
      if (seq > 16) {
        assertEquals(-1, r.seqOf((seq - 16) * 1_000_003), "evicted");
      }
    }
    assertEquals(-1, r.seqOf(0), "0 is no id");
    MessageRing copy = MessageRing.restore(16, r.lastSeq(), r.all(), r.ids());
    assertEquals(33, copy.seqOf(33 * 1_000_003L), "restored with its ids");
  }

  /** history.maxBytes: the oldest messages go while the retained ones take more; the newest stays. */
  @Test
  void aByteCapDropsTheOldestButNeverTheNewest() {
    MessageRing r = new MessageRing(100, 0);
    for (int i = 1; i <= 5; i++) {
      String head = "m" + i + ":";
      r.append(head + "x".repeat(100 - head.length()), 100, 0, 250);
    }
    assertEquals(5, r.lastSeq());
    assertEquals(4, r.firstSeq(), "two of 100 bytes fit in 250");
    assertEquals(2, r.all().size());
    assertTrue(r.all().get(0).startsWith("m4:"));
    r.append("y".repeat(1_000), 100, 0, 250);
    assertEquals(List.of("y".repeat(1_000)), r.all(), "a message over the cap alone is still kept");
    r.append("z", 100, 0, 250);
    assertEquals(List.of("z"), r.all());
    assertEquals(7, r.lastSeq());
  }

  /** The tail of the newest message is read straight from the byte ring, also across its wrap. */
  @Test
  void newestTailIsTheEndOfTheNewestMessageWhereverItLies() {
    MessageRing r = new MessageRing(7, 0);
    assertEquals("", r.newestTail(10));
    for (int i = 0; i < 400; i++) {
      String m = "m" + i + "-" + "x".repeat(i * 37 % 300) + "\"ts\":\"" + i + "\"}";
      r.append(m, 7, 0, 1_500);
      String expected = m.substring(Math.max(0, m.length() - 16));
      assertEquals(expected, r.newestTail(16), "append " + i);
    }
    r.append("é", 7);
    assertEquals("??", r.newestTail(16), "bytes past ASCII are not decoded");
  }

  /**
   * A room at history.maxBytes holds about that much, not an array of twice it: it grew for each
   * message before the oldest went, by doubling, and 16 MiB of messages sat in 32 MiB (and as
   * much again in the backup).
   */
  @Test
  void aFullRoomsBytesStayWithinItsMaxBytes() {
    int maxBytes = 16 * 1024 * 1024;
    MessageRing r = new MessageRing(1000, 0);
    String large = "x".repeat(60 * 1024);
    for (int i = 1; i <= 600; i++) {
      r.append(large + i, 1000, i, maxBytes);
      assertTrue(r.allocatedBytes() <= maxBytes, "append " + i + ": " + r.allocatedBytes());
    }
    assertTrue(r.size() > 250 && r.size() < 280, "about maxBytes of them kept: " + r.size());
    assertEquals(large + 600, r.slice(r.lastSeq(), r.lastSeq()).get(0));
    // one message over maxBytes is kept alone
    r.append("y".repeat(maxBytes + 10), 1000, 601, maxBytes);
    assertEquals(1, r.size());
    assertEquals(600 + 1, r.lastSeq());
  }

  /** After a burst of large messages, the room's bytes come back down to what it keeps. */
  @Test
  void theBytesShrinkOnceLargeMessagesHaveGone() {
    int maxBytes = 16 * 1024 * 1024;
    MessageRing r = new MessageRing(1000, 0);
    String large = "x".repeat(64 * 1024);
    for (int i = 1; i <= 300; i++) {
      r.append(large + i, 1000, i, maxBytes);
    }
    assertTrue(r.allocatedBytes() >= maxBytes, "the burst took its room: " + r.allocatedBytes());
    for (int i = 1; i <= 1000; i++) {
      r.append("small " + i, 1000, 1000 + i, maxBytes);
    }
    assertTrue(r.allocatedBytes() < 64 * 1024, "back to the small messages' size: " + r.allocatedBytes());
    // and nothing was lost on the way down
    assertEquals(1000, r.size());
    assertEquals("small 1", r.slice(r.firstSeq(), r.firstSeq()).get(0));
    assertEquals("small 1000", r.slice(r.lastSeq(), r.lastSeq()).get(0));
    assertEquals(r.lastSeq(), r.seqOf(2000));
  }

  /** Shrinking keeps every retained message intact across the ring's wrap, at every step. */
  @Test
  void shrinkingKeepsTheMessagesAcrossTheWrap() {
    MessageRing r = new MessageRing(50, 0);
    List<String> kept = new ArrayList<>();
    for (int i = 1; i <= 400; i++) {
      String m = (i % 7 == 0 ? "y".repeat(20_000) : "") + "m" + i;
      r.append(m, 50, i, 100_000);
      kept.add(m);
      List<String> expected = kept.subList(kept.size() - r.size(), kept.size());
      assertEquals(expected, r.all(), "after " + i);
    }
  }

  /**
   * An append's id outlives its message by the append window: a run of it again within its
   * deadline finds it after the room let it go (a busy room writes history.size messages in a
   * second). Ids go once appends come in {@link GoneIds#KEEP_MS} past the one that let it go.
   */
  @Test
  void idsLetGoOfAreFoundUntilTheAppendsComingInArePastTheirWindow() {
    MessageRing r = new MessageRing(3, 0);
    long t = 1_000_000;
    for (int i = 1; i <= 5; i++) {
      r.append("m" + i, 3, 100 + i, Integer.MAX_VALUE, t + i);
    }
    assertEquals(List.of("m3", "m4", "m5"), r.all());
    assertEquals(1, r.seqOf(101), "let go of, and still found");
    assertEquals(2, r.seqOf(102));
    assertEquals(5, r.seqOf(105));
    r.append("m6", 3, 106, Integer.MAX_VALUE, t + 5 + GoneIds.KEEP_MS); // still within m2's window
    assertEquals(2, r.seqOf(102));
    r.append("m7", 3, 107, Integer.MAX_VALUE, t + 5 + GoneIds.KEEP_MS + 1);
    assertEquals(-1, r.seqOf(101), "past the window of the append that let it go");
    assertEquals(-1, r.seqOf(102));
    assertEquals(3, r.seqOf(103), "let go of by the last appends: kept");
    r.append("m8", 3, 108, Integer.MAX_VALUE, 0);
    assertEquals(3, r.seqOf(103), "an append without a deadline forgets nothing");
  }

  /** So are ids of messages the byte cap let go of, and the kept ones stay bounded. */
  @Test
  void idsLetGoOfByTheByteCapAreKeptAndBounded() {
    MessageRing r = new MessageRing(1000, 0);
    for (int i = 1; i <= GoneIds.MAX + 10; i++) {
      r.append("m" + i, 1000, i, 1, 5_000); // one message kept: every append lets the one before go
    }
    assertEquals(1, r.size());
    assertEquals(GoneIds.MAX + 9, r.seqOf(GoneIds.MAX + 9));
    assertEquals(10, r.seqOf(10), "the oldest of the most kept");
    assertEquals(-1, r.seqOf(9), "beyond the most kept");
    assertEquals(GoneIds.MAX, r.gone().size());
  }
}
