package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md "history" and "join": which retained messages a read or a join returns, and
 * {@code more}: neither bound → the latest, more = older remain; {@code before} → older than
 * before, more = older remain; {@code after} → the oldest after it, more = newer remain.
 */
class HistoryWindowTest {

  private static final long ABSENT = -1;
  private static final String EPOCH = "e-1";

  /** A log of seqs 1..messages, keeping the latest {@code capacity}. */
  private static MessageRing log(int capacity, int messages) {
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

  private static RoomReply read(MessageRing log, long before, long after, int limit) {
    RoomReply reply = new RoomReply();
    HistoryWindow.read(log, before, after, limit, reply);
    return reply;
  }

  private static RoomReply join(MessageRing log, long sinceSeq, String sinceEpoch, int history, int recoverMax) {
    RoomReply reply = new RoomReply();
    HistoryWindow.join(log, EPOCH, sinceSeq, sinceEpoch, history, recoverMax, reply);
    return reply;
  }

  private static void assertPage(List<String> messages, boolean more, RoomReply reply) {
    assertEquals(messages, reply.messages, "messages");
    assertEquals(more, reply.more, "more");
  }

  // ---- read: neither before nor after

  @Test
  void latestWhenOlderRemainSaysMore() {
    RoomReply r = read(log(100, 10), ABSENT, ABSENT, 3);
    assertPage(range(8, 10), true, r);
    assertEquals(8, r.firstSeq);
    assertEquals(10, r.seq);
  }

  @Test
  void latestWhenLimitCoversEverythingSaysNoMore() {
    assertPage(range(1, 10), false, read(log(100, 10), ABSENT, ABSENT, 10));
    assertPage(range(1, 10), false, read(log(100, 10), ABSENT, ABSENT, 100));
  }

  @Test
  void latestWithLimitOne() {
    assertPage(List.of("m10"), true, read(log(100, 10), ABSENT, ABSENT, 1));
  }

  @Test
  void latestOfAnEmptyLogIsEmptyWithoutMore() {
    RoomReply r = read(log(100, 0), ABSENT, ABSENT, 50);
    assertPage(List.of(), false, r);
    assertEquals(0, r.seq);
  }

  @Test
  void latestAfterEvictionCountsOnlyRetainedMessagesAsRemaining() {
    MessageRing l = log(5, 12); // retains 8..12
    assertPage(range(10, 12), true, read(l, ABSENT, ABSENT, 3));
    assertPage(range(8, 12), false, read(l, ABSENT, ABSENT, 5));
    assertPage(range(8, 12), false, read(l, ABSENT, ABSENT, 50));
  }

  // ---- read: before

  @Test
  void beforeGivesTheLatestOlderMessagesAndMoreWhenOlderRemain() {
    RoomReply r = read(log(100, 10), 5, ABSENT, 2);
    assertPage(range(3, 4), true, r);
    assertEquals(3, r.firstSeq);
    assertEquals(10, r.seq, "seq is always the room's latest");
  }

  @Test
  void beforeReachingTheFirstMessageSaysNoMore() {
    assertPage(range(1, 2), false, read(log(100, 10), 3, ABSENT, 2));
    assertPage(range(1, 2), false, read(log(100, 10), 3, ABSENT, 50));
  }

  @Test
  void beforeTheFirstMessageIsEmptyWithoutMore() {
    assertPage(List.of(), false, read(log(100, 10), 1, ABSENT, 50));
    assertPage(List.of(), false, read(log(100, 10), 0, ABSENT, 50));
  }

  @Test
  void beforeBeyondTheLatestActsAsLatest() {
    assertPage(range(8, 10), true, read(log(100, 10), 1000, ABSENT, 3));
    assertPage(range(8, 10), true, read(log(100, 10), Long.MAX_VALUE, ABSENT, 3));
    assertPage(range(1, 10), false, read(log(100, 10), 11, ABSENT, 10));
  }

  @Test
  void beforeOnAnEmptyLogIsEmptyWithoutMore() {
    assertPage(List.of(), false, read(log(100, 0), 5, ABSENT, 50));
  }

  @Test
  void beforeAfterEvictionStopsAtTheOldestRetained() {
    MessageRing l = log(5, 12); // retains 8..12
    assertPage(range(8, 9), false, read(l, 10, ABSENT, 5));
    assertPage(List.of("m9"), true, read(l, 10, ABSENT, 1));
  }

  @Test
  void beforeEntirelyEvictedIsEmptyWithoutMore() {
    assertPage(List.of(), false, read(log(5, 12), 5, ABSENT, 50));
  }

  @Test
  void pagingBackwardsWithBeforeVisitsEveryMessageOnce() {
    MessageRing l = log(100, 23);
    List<String> seen = new ArrayList<>();
    RoomReply page = read(l, ABSENT, ABSENT, 5);
    seen.addAll(0, page.messages);
    while (page.more) {
      page = read(l, page.firstSeq, ABSENT, 5);
      seen.addAll(0, page.messages);
    }
    assertEquals(range(1, 23), seen);
  }

  // ---- read: after

  @Test
  void afterGivesTheOldestNewerMessagesAndMoreWhenNewerRemain() {
    RoomReply r = read(log(100, 10), ABSENT, 5, 2);
    assertPage(range(6, 7), true, r);
    assertEquals(6, r.firstSeq);
  }

  @Test
  void afterReachingTheLatestSaysNoMore() {
    assertPage(range(9, 10), false, read(log(100, 10), ABSENT, 8, 2));
    assertPage(range(9, 10), false, read(log(100, 10), ABSENT, 8, 100));
  }

  @Test
  void afterZeroGivesTheOldest() {
    assertPage(range(1, 3), true, read(log(100, 10), ABSENT, 0, 3));
    assertPage(range(1, 10), false, read(log(100, 10), ABSENT, 0, 10));
  }

  @Test
  void afterTheLatestIsEmptyWithoutMore() {
    assertPage(List.of(), false, read(log(100, 10), ABSENT, 10, 50));
    assertPage(List.of(), false, read(log(100, 10), ABSENT, 1000, 50));
  }

  @Test
  void afterOnAnEmptyLogIsEmptyWithoutMore() {
    assertPage(List.of(), false, read(log(100, 0), ABSENT, 0, 50));
  }

  @Test
  void afterAnEvictedSeqStartsAtTheOldestRetained() {
    MessageRing l = log(5, 12); // retains 8..12
    assertPage(range(8, 10), true, read(l, ABSENT, 2, 3));
    assertPage(range(8, 12), false, read(l, ABSENT, 2, 50));
  }

  @Test
  void afterTheLargestSeqAClientCanSendIsEmptyWithoutMore() {
    // the decoder accepts any non-negative JSON integer up to Long.MAX_VALUE for "after"
    assertPage(List.of(), false, read(log(100, 10), ABSENT, Long.MAX_VALUE, 50));
  }

  @Test
  void afterJustBelowTheLargestSeqIsEmptyWithoutMore() {
    assertPage(List.of(), false, read(log(100, 10), ABSENT, Long.MAX_VALUE - 1, 50));
  }

  @Test
  void pagingForwardsWithAfterVisitsEveryMessageOnce() {
    MessageRing l = log(100, 23);
    List<String> seen = new ArrayList<>();
    long after = 0;
    RoomReply page;
    do {
      page = read(l, ABSENT, after, 5);
      seen.addAll(page.messages);
      after = page.firstSeq + page.messages.size() - 1;
    } while (page.more);
    assertEquals(range(1, 23), seen);
  }

  // ---- join

  @Test
  void joinWithoutSinceGivesTheLatestHistoryAndNoRecoveredFlag() {
    RoomReply r = join(log(100, 10), ABSENT, null, 3, 500);
    assertEquals(range(8, 10), r.messages);
    assertEquals(8, r.firstSeq);
    assertEquals(10, r.seq);
    assertNull(r.recovered);
  }

  @Test
  void joinWithHistoryZeroGivesNoMessages() {
    RoomReply r = join(log(100, 10), ABSENT, null, 0, 500);
    assertEquals(List.of(), r.messages);
    assertEquals(10, r.seq);
  }

  @Test
  void joinWithMoreHistoryThanRetainedGivesAllRetained() {
    assertEquals(range(8, 12), join(log(5, 12), ABSENT, null, 50, 500).messages);
  }

  @Test
  void joinOfAnEmptyRoomHasSeqZero() {
    RoomReply r = join(log(100, 0), ABSENT, null, 50, 500);
    assertEquals(List.of(), r.messages);
    assertEquals(0, r.seq);
  }

  @Test
  void joinSinceWithMatchingEpochRecoversExactlyTheMissedMessages() {
    RoomReply r = join(log(100, 10), 4, EPOCH, 3, 500);
    assertEquals(Boolean.TRUE, r.recovered);
    assertEquals(range(5, 10), r.messages, "all six missed, though history is 3");
    assertEquals(5, r.firstSeq);
    assertEquals(10, r.seq);
  }

  @Test
  void joinSinceTheLatestRecoversNothingAndSaysRecovered() {
    RoomReply r = join(log(100, 10), 10, EPOCH, 3, 500);
    assertEquals(Boolean.TRUE, r.recovered);
    assertEquals(List.of(), r.messages);
    assertEquals(10, r.seq);
  }

  @Test
  void joinSinceZeroRecoversTheWholeLogWhileItIsAllRetained() {
    RoomReply r = join(log(100, 10), 0, EPOCH, 3, 500);
    assertEquals(Boolean.TRUE, r.recovered);
    assertEquals(range(1, 10), r.messages);
  }

  @Test
  void joinSinceOfAnEmptyRoomRecoversNothing() {
    RoomReply r = join(log(100, 0), 0, EPOCH, 50, 500);
    assertEquals(Boolean.TRUE, r.recovered);
    assertEquals(List.of(), r.messages);
  }

  @Test
  void joinSinceWithAnotherEpochGivesLatestHistoryNotRecovered() {
    RoomReply r = join(log(100, 10), 4, "e-other", 3, 500);
    assertEquals(Boolean.FALSE, r.recovered);
    assertEquals(range(8, 10), r.messages);
    assertEquals(10, r.seq);
  }

  @Test
  void joinSinceWhenTheOldestMissedIsJustRetainedRecovers() {
    RoomReply r = join(log(5, 12), 7, EPOCH, 2, 500); // retains 8..12
    assertEquals(Boolean.TRUE, r.recovered);
    assertEquals(range(8, 12), r.messages);
  }

  @Test
  void joinSinceWhenAMissedMessageWasEvictedGivesLatestHistoryNotRecovered() {
    RoomReply r = join(log(5, 12), 6, EPOCH, 2, 500); // seq 7 is gone
    assertEquals(Boolean.FALSE, r.recovered);
    assertEquals(range(11, 12), r.messages);
  }

  @Test
  void joinSinceMissingExactlyRecoverMaxRecovers() {
    RoomReply r = join(log(100, 10), 4, EPOCH, 2, 6);
    assertEquals(Boolean.TRUE, r.recovered);
    assertEquals(range(5, 10), r.messages);
  }

  @Test
  void joinSinceMissingOneMoreThanRecoverMaxGivesLatestHistoryNotRecovered() {
    RoomReply r = join(log(100, 10), 3, EPOCH, 2, 6);
    assertEquals(Boolean.FALSE, r.recovered);
    assertEquals(range(9, 10), r.messages);
  }

  @Test
  void joinSinceWithRecoverMaxZeroRecoversOnlyWhenNothingWasMissed() {
    assertEquals(Boolean.TRUE, join(log(100, 10), 10, EPOCH, 2, 0).recovered);
    assertEquals(Boolean.FALSE, join(log(100, 10), 9, EPOCH, 2, 0).recovered);
  }

  @Test
  void joinSinceNotRecoveredWithHistoryZeroGivesNoMessages() {
    RoomReply r = join(log(100, 10), 4, "e-other", 0, 500);
    assertEquals(Boolean.FALSE, r.recovered);
    assertEquals(List.of(), r.messages);
  }

  @Test
  void joinSinceASeqTheLogNeverReachedIsNotRecovered() {
    RoomReply r = join(log(100, 10), 15, EPOCH, 3, 500);
    assertFalse(r.recovered);
    assertEquals(range(8, 10), r.messages);
  }

  @Test
  void recoveredMessagesFollowOnFromSinceWithoutGapOrDuplicate() {
    MessageRing l = log(100, 30);
    RoomReply r = join(l, 17, EPOCH, 50, 500);
    assertTrue(r.recovered);
    assertEquals(18, r.firstSeq);
    assertEquals(r.seq - r.firstSeq + 1, r.messages.size());
  }

  // ---- byte budget: cut on the partition

  /** Seqs 1..10 of 100 bytes each ("m1" padded), so that a budget counts whole messages. */
  private static MessageRing sized() {
    MessageRing r = new MessageRing(100, 0);
    for (int i = 1; i <= 10; i++) {
      r.append(padded(i), 100);
    }
    return r;
  }

  private static String padded(long seq) {
    String head = "m" + seq + ":";
    return head + "x".repeat(100 - head.length());
  }

  private static List<Long> seqsOf(RoomReply reply) {
    return reply.messages.stream().map(m -> Long.parseLong(m.substring(1, m.indexOf(':')))).toList();
  }

  @Test
  void aBudgetKeepsTheNewestOfALatestOrBeforePageAndSaysMore() {
    RoomReply r = new RoomReply();
    HistoryWindow.read(sized(), ABSENT, ABSENT, 100, 350, r);
    assertEquals(List.of(8L, 9L, 10L), seqsOf(r));
    assertEquals(8, r.firstSeq);
    assertTrue(r.more);
    r = new RoomReply();
    HistoryWindow.read(sized(), 6, ABSENT, 100, 200, r);
    assertEquals(List.of(4L, 5L), seqsOf(r));
    assertTrue(r.more);
  }

  @Test
  void aBudgetKeepsTheOldestOfAnAfterPageAndSaysMore() {
    RoomReply r = new RoomReply();
    HistoryWindow.read(sized(), ABSENT, 2, 100, 300, r);
    assertEquals(List.of(3L, 4L, 5L), seqsOf(r));
    assertTrue(r.more, "newer remain");
    r = new RoomReply();
    HistoryWindow.read(sized(), ABSENT, 7, 100, 300, r);
    assertEquals(List.of(8L, 9L, 10L), seqsOf(r));
    assertFalse(r.more, "exactly the budget, nothing newer");
  }

  @Test
  void aBudgetBelowOneMessageStillSendsOne() {
    RoomReply r = new RoomReply();
    HistoryWindow.read(sized(), ABSENT, 4, 100, 10, r);
    assertEquals(List.of(5L), seqsOf(r));
    r = new RoomReply();
    HistoryWindow.read(sized(), ABSENT, ABSENT, 100, 10, r);
    assertEquals(List.of(10L), seqsOf(r));
  }

  @Test
  void aRecoveryThatFitsIsRecoveredAndOneThatDoesNotGivesTheNewestThatFit() {
    RoomReply fits = new RoomReply();
    HistoryWindow.join(sized(), EPOCH, 7, EPOCH, 50, 500, 300, fits);
    assertTrue(fits.recovered);
    assertEquals(List.of(8L, 9L, 10L), seqsOf(fits));

    RoomReply over = new RoomReply();
    HistoryWindow.join(sized(), EPOCH, 6, EPOCH, 50, 500, 300, over);
    assertFalse(over.recovered, "four missed, three fit: the client reads the rest with history");
    assertEquals(List.of(8L, 9L, 10L), seqsOf(over));
    assertEquals(10, over.seq);

    RoomReply fresh = new RoomReply();
    HistoryWindow.join(sized(), EPOCH, -1, null, 50, 500, 250, fresh);
    assertEquals(List.of(9L, 10L), seqsOf(fresh));
    assertEquals(9, fresh.firstSeq);
  }
}
