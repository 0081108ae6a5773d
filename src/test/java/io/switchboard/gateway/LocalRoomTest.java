package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.room.EncodedFrame;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A member that joined behind the stream catches up from the log, whatever the log answers. */
@ExtendWith(VertxExtension.class)
class LocalRoomTest {

  private static final io.switchboard.auth.Identity MEMBER =
      new io.switchboard.auth.Identity("ann", "Ann", java.util.Set.of(), java.util.List.of(), 0);

  /**
   * The stream is at seq 500, its recent window empty, and a member joins at seq 10: it reads
   * the log. A read that fails at once used to be retried at once, recursively, until the stack
   * overflowed; now it is retried every {@link LocalRoom#RETRY_MS}.
   */
  @Test
  void aFailedCatchUpReadIsRetriedAfterAPause(Vertx vertx, VertxTestContext test) {
    AtomicInteger reads = new AtomicInteger();
    vertx.runOnContext(v -> {
      joinBehindTheStream(vertx, (r, after, limit) -> {
        reads.incrementAndGet();
        return Future.failedFuture("the cluster is not answering");
      });
      vertx.setTimer(LocalRoom.RETRY_MS * 3 + LocalRoom.RETRY_MS / 2, t -> test.verify(() -> {
        assertTrue(reads.get() >= 2 && reads.get() <= 5, "reads in 1.75 s: " + reads.get());
        test.completeNow();
      }));
    });
  }

  /** The waits between a catching-up member's failed reads double, up to five seconds. */
  @Test
  void catchUpRetriesWaitLongerEachTime() {
    assertEquals(List.of(500L, 1000L, 2000L, 4000L, 5000L, 5000L),
        java.util.stream.IntStream.rangeClosed(1, 6).mapToObj(f -> LocalRoom.retryDelay(LocalRoom.RETRY_MS, f)).toList());
  }

  /**
   * A member whose catch-up reads keep failing reads less and less often (here from 20 ms): at
   * a fixed 20 ms it read 35 times in 700 ms; doubling, about 6.
   */
  @Test
  void aMemberWhoseCatchUpKeepsFailingReadsLessOften(Vertx vertx, VertxTestContext test) {
    AtomicInteger reads = new AtomicInteger();
    vertx.runOnContext(v -> {
      LocalRoom room = new LocalRoom(vertx, "lobby", (r, after, limit) -> {
        reads.incrementAndGet();
        return Future.failedFuture("the cluster is not answering");
      }, null);
      room.retryBaseMs = 20;
      room.stream().start(500, "e");
      room.joined(new ClientSession("s1", null, MEMBER, null, null, 0, null), 10, "e");
      vertx.setTimer(700, t -> test.verify(() -> {
        assertTrue(reads.get() >= 2 && reads.get() <= 8, "reads in 700 ms: " + reads.get());
        test.completeNow();
      }));
    });
  }

  /**
   * A catch-up read failed, and the member left and joined again (now at the stream's seq)
   * before its retry: the retry is the old membership's and reads nothing. Before, it found the
   * session a member again and sent it the old seqs after its new joined, out of order.
   */
  @Test
  void aRetryOfAnEarlierMembershipsCatchUpDoesNothing(Vertx vertx, VertxTestContext test) {
    AtomicInteger reads = new AtomicInteger();
    List<String> got = new ArrayList<>();
    vertx.runOnContext(v -> {
      LocalRoom room = new LocalRoom(vertx, "lobby", (r, after, limit) -> reads.incrementAndGet() == 1
          ? Future.failedFuture("the cluster is not answering")
          : Future.succeededFuture(new LogPage(after + 1, java.util.List.of("old 11", "old 12"), false)), null);
      room.stream().start(500, "e");
      ClientSession member = new ClientSession("s1", socket(got), MEMBER, null, null, 0, null);
      room.joined(member, 10, "e");
      room.remove(member);
      room.joined(member, 500, "e");
      vertx.setTimer(LocalRoom.RETRY_MS * 2, t -> test.verify(() -> {
        assertEquals(1, reads.get(), "the old membership's retry read nothing");
        assertEquals(List.of(), got);
        test.completeNow();
      }));
    });
  }

  /** A log that lacks what the stream delivered (lost and restarted) is not read for ever. */
  @Test
  void aLogWithNothingAfterTheMembersSeqEndsTheCatchUp(Vertx vertx, VertxTestContext test) {
    AtomicInteger reads = new AtomicInteger();
    vertx.runOnContext(v -> {
      joinBehindTheStream(vertx, (r, after, limit) -> {
        reads.incrementAndGet();
        return Future.succeededFuture(new LogPage(after + 1, java.util.List.<String>of(), false));
      });
      // past two retry periods: a retry would have read again by then
      vertx.setTimer(LocalRoom.RETRY_MS * 2 + 200, t -> test.verify(() -> {
        assertTrue(reads.get() == 1, "reads: " + reads.get());
        test.completeNow();
      }));
    });
  }

  /**
   * The log restarts under a member (seq 1 of epoch e2 after seq 6 of e1): the member is held,
   * the gateway is told, and the member goes on only when resumed for the new log; a resume for
   * the old log, or a second one, changes nothing.
   */
  @Test
  void aMemberIsHeldWhenTheLogRestartsUntilResumedForTheNewLog(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> got = new ArrayList<>();
      List<String> told = new ArrayList<>();
      LocalRoom room = new LocalRoom(vertx, "lobby", (r, after, limit) -> Future.failedFuture("not read here"),
          new io.switchboard.ops.NodeMetrics(), (name, members, from, epoch) -> told.add(members.size() + "@" + from + "/" + epoch));
      ClientSession member = new ClientSession("s1", socket(got), MEMBER, null, null, 0, null);
      room.joined(member, 5, "e1");
      room.stream().offer(6, EncodedFrame.of("e1-6"), "e1");
      room.stream().offer(1, EncodedFrame.of("e2-1"), "e2");
      room.stream().offer(2, EncodedFrame.of("e2-2"), "e2");
      assertEquals(List.of("1@0/e2"), told);
      assertEquals(List.of("e1-6"), got, "held until told of the new log");

      room.resumeAt(member, 1, "e1");
      assertEquals(List.of("e1-6"), got, "an answer about the old log changes nothing");
      room.resumeAt(member, 1, "e2"); // its joined held seq 1: it goes on with 2
      room.resumeAt(member, 0, "e2");
      room.stream().offer(3, EncodedFrame.of("e2-3"), "e2");
      assertEquals(List.of("e1-6", "e2-2", "e2-3"), got, "once, from after the seq it was told");
      test.completeNow();
    }));
  }

  /**
   * The log restarted (e2) and nobody has published in it yet, so the stream still follows e1
   * when a newcomer's join answers from e2. The newcomer used to be held for e1, asked to join
   * again for a log that never comes back, and closed with 1011 after three tries, on every
   * reconnect until someone published. Now the stream follows e2 from the join's seq: the
   * newcomer goes on at once, and the members already here are held and told of the new log.
   */
  @Test
  void aJoinAnsweredFromANewerLogMovesTheStreamToIt(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> early = new ArrayList<>();
      List<String> late = new ArrayList<>();
      List<String> told = new ArrayList<>();
      LocalRoom room = new LocalRoom(vertx, "lobby", (r, after, limit) -> Future.failedFuture("not read here"),
          new io.switchboard.ops.NodeMetrics(), (name, members, from, epoch) -> told.add(members.size() + "@" + from + "/" + epoch));
      ClientSession before = new ClientSession("s1", socket(early), MEMBER, null, null, 0, null);
      room.joined(before, 5, "e1");
      room.stream().offer(6, EncodedFrame.of("e1-6"), "e1");

      List<String> stale = new ArrayList<>();
      ClientSession staleJoiner = new ClientSession("s3", socket(stale), MEMBER, null, null, 0, null);
      JoinAttempt sentBefore = room.joinStarted(staleJoiner); // answered by e1 after the stream left it

      ClientSession newcomer = new ClientSession("s2", socket(late), MEMBER, null, null, 0, null);
      room.joined(newcomer, 3, "e2");
      assertEquals(List.of("1@3/e2"), told, "the member already here is told of the new log");
      room.stream().offer(3, EncodedFrame.of("e2-3"), "e2"); // in the newcomer's history already
      room.stream().offer(4, EncodedFrame.of("e2-4"), "e2");
      assertEquals(List.of("e2-4"), late, "the newcomer goes on from its join's seq");
      assertEquals(List.of("e1-6"), early, "held until told");
      room.resumeAt(before, 4, "e2");
      room.stream().offer(5, EncodedFrame.of("e2-5"), "e2");
      assertEquals(List.of("e1-6", "e2-5"), early);
      assertEquals(List.of("e2-4", "e2-5"), late);

      room.joined(staleJoiner, sentBefore, 6, "e1", java.util.Set.of());
      assertEquals(List.of("1@3/e2", "1@5/e2"), told, "an answer from the log left behind holds its joiner");
      room.stream().offer(6, EncodedFrame.of("e2-6"), "e2");
      assertEquals(List.of(), stale);
      assertEquals(List.of("e2-4", "e2-5", "e2-6"), late);
      test.completeNow();
    }));
  }

  /**
   * Two joins on their way when the room's log began again: the one answered first (from the new
   * log, e2) starts the stream; the other, read before, answers from the old one (e1). That
   * answer crossed the stream's start, so it cannot say which log is newer (epochs are random):
   * its session is held and joined again, and the stream stays on e2. Before, the stream went
   * back to e1, held the first member, and dropped e2's messages as a left log's. A fresh answer
   * (sent after the stream's last change) from another log moves the stream; a stale one does not.
   */
  @Test
  void aJoinAnswerThatCrossedTheStreamsStartDoesNotMoveItBack(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> first = new ArrayList<>();
      List<String> second = new ArrayList<>();
      List<String> told = new ArrayList<>();
      LocalRoom room = new LocalRoom(vertx, "lobby", (r, after, limit) -> Future.failedFuture("not read here"),
          new io.switchboard.ops.NodeMetrics(), (name, members, from, epoch) -> told.add(members.size() + "@" + from + "/" + epoch));
      ClientSession a = new ClientSession("s1", socket(first), MEMBER, null, null, 0, null);
      ClientSession b = new ClientSession("s2", socket(second), MEMBER, null, null, 0, null);
      JoinAttempt joinA = room.joinStarted(a);
      JoinAttempt joinB = room.joinStarted(b);
      room.joined(a, joinA, 2, "e2", java.util.Set.of());
      room.joined(b, joinB, 9, "e1", java.util.Set.of());
      assertEquals(List.of("1@2/e2"), told, "b is held and joined again for e2");
      assertEquals("e2", room.stream().epoch());
      room.stream().offer(3, EncodedFrame.of("e2-3"), "e2");
      assertEquals(List.of("e2-3"), first, "a goes on with e2");
      assertEquals(List.of(), second);

      int changes = room.stream().epochChanges();
      assertEquals(false, room.followIfUnchanged("e1", 9, changes - 1), "an answer sent before the stream's start");
      assertEquals(false, room.followIfUnchanged("e2", 3, changes), "the stream's own log");
      assertEquals("e2", room.stream().epoch());
      assertEquals(true, room.followIfUnchanged("e3", 4, changes), "a fresh answer from another log");
      assertEquals("e3", room.stream().epoch());
      assertEquals(List.of("1@2/e2", "2@4/e3"), told, "both told of e3");

      // and back to e2, left before, when a fresh answer says the room's log is that one again
      assertEquals(true, room.followIfUnchanged("e2", 5, room.stream().epochChanges()));
      room.resumeAt(a, 5, "e2");
      room.stream().offer(6, EncodedFrame.of("e2-6"), "e2");
      assertEquals(List.of("e2-3", "e2-6"), first, "e2's messages are no longer dropped as a left log's");
      test.completeNow();
    }));
  }

  /**
   * A first join given up on (past its deadline) settles after the client joined again: its
   * failure must not end the second join's wait for presence. Before, it did, and the events
   * that came meanwhile were lost to the second join.
   */
  @Test
  void aFormerJoinSettlingLateKeepsTheNextJoinsPresence(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> got = new ArrayList<>();
      LocalRoom room = roomWithoutLog(vertx);
      ClientSession joiner = new ClientSession("s1", socket(got), MEMBER, null, null, 0, null);
      JoinAttempt givenUp = room.joinStarted(joiner);
      JoinAttempt again = room.joinStarted(joiner);
      String dave = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "dave", "Dave", 2);
      room.joinFailed(joiner, givenUp);
      room.presence(EncodedFrame.of(dave));
      room.joined(joiner, again, 0, "e", java.util.Set.of("ann"));
      assertEquals(List.of(dave), got);
      test.completeNow();
    }));
  }

  /**
   * Presence events that reach this node while a join is on its way: one of another node that
   * the join's member list was taken before (dave joined, erin left) is passed on; one the list
   * already holds (fay joined, gus left) is not. Before, all were dropped, and the joiner's list
   * missed dave and kept erin until it asked again.
   */
  @Test
  void presenceThatCameDuringTheJoinIsPassedOnWhereTheListMissedIt(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> got = new ArrayList<>();
      LocalRoom room = roomWithoutLog(vertx);
      ClientSession joiner = new ClientSession("s1", socket(got), MEMBER, null, null, 0, null);
      JoinAttempt join = room.joinStarted(joiner);
      String fay = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "fay", "Fay", 3);
      String gus = io.switchboard.protocol.FrameEncoder.presence("lobby", "leave", "gus", "Gus", 2);
      String dave = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "dave", "Dave", 3);
      String erin = io.switchboard.protocol.FrameEncoder.presence("lobby", "leave", "erin", "Erin", 2);
      String own = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "ann", "Ann", 3);
      for (String frame : List.of(fay, gus, dave, erin)) {
        room.presence(EncodedFrame.of(frame));
      }
      room.presence(EncodedFrame.of(own)); // its own join, never for it
      room.joined(joiner, join, 0, "e", java.util.Set.of("ann", "erin", "fay"));
      assertEquals(List.of(dave, erin), got);

      String hal = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "hal", "Hal", 3);
      room.presence(EncodedFrame.of(hal));
      assertEquals(List.of(dave, erin, hal), got, "live from then on");
      test.completeNow();
    }));
  }

  /**
   * {@code $metrics}' frames are events about no user. One that came while a join was on its way
   * is passed on after the joined frame, list cut or not: read as a presence event, it was dropped,
   * or, where the list was cut, its missing user threw, and the joiner got nothing more of the room.
   */
  @Test
  void aMetricsFrameDuringAJoinIsPassedOn(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      LocalRoom room = roomWithoutLog(vertx);
      String metrics = new io.vertx.core.json.JsonObject().put("type", "metrics").put("node", "n-1").encode();
      for (java.util.Set<String> listed : List.of(java.util.Set.of("ann"), java.util.Set.of("ann", "bo"))) {
        List<String> got = new ArrayList<>();
        ClientSession joiner = new ClientSession("s-" + listed.size(), socket(got), MEMBER, null, null, 0, null);
        JoinAttempt join = room.joinStarted(joiner);
        room.presence(EncodedFrame.of(metrics));
        room.joined(joiner, join, 0, "e", listed, 2);
        assertEquals(List.of(metrics), got, listed.size() < 2 ? "a cut list" : "a whole list");
      }
      test.completeNow();
    }));
  }

  /**
   * A large room's member list is cut to its byte budget: the first members by user id (here
   * ann and bo of 5). An event about a user after the last one listed is passed on, for the list
   * cannot tell: zoe's leave was dropped, as if the list had not had her, and the joiner counted
   * her as present for good.
   */
  @Test
  void presenceDuringAJoinWhoseListWasCutIsPassedOnForTheUsersPastIt(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> got = new ArrayList<>();
      LocalRoom room = roomWithoutLog(vertx);
      ClientSession joiner = new ClientSession("s1", socket(got), MEMBER, null, null, 0, null);
      JoinAttempt join = room.joinStarted(joiner);
      String zoe = io.switchboard.protocol.FrameEncoder.presence("lobby", "leave", "zoe", "Zoe", 4);
      String bo = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "bo", "Bo", 5);
      String al = io.switchboard.protocol.FrameEncoder.presence("lobby", "leave", "al", "Al", 4);
      for (String frame : List.of(zoe, bo, al)) {
        room.presence(EncodedFrame.of(frame));
      }
      room.joined(joiner, join, 0, "e", java.util.Set.of("ann", "bo"), 5);
      assertEquals(List.of(zoe), got, "bo is listed, al sorts before bo and is not: both known to the list");
      test.completeNow();
    }));
  }

  /**
   * Messages stored while a member's repeat join is on its way follow its joined frame: sent
   * live, 7 came before a frame that says seq 6, and a client that takes up the frame's seq saw
   * nothing after it until 8. A repeat join whose history does not reach back to what the member
   * had gets the messages in between before its joined frame (after it, they went back in seq and
   * repeated the history's); a failed one goes on where it stopped.
   */
  @Test
  void messagesDuringARepeatJoinFollowItsJoinedFrame(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> got = new ArrayList<>();
      LocalRoom room = roomWithoutLog(vertx);
      ClientSession member = new ClientSession("s1", socket(got), MEMBER, null, null, 0, null);
      room.joined(member, 5, "e");
      JoinAttempt again = room.rejoinStarted(member);
      room.stream().offer(6, EncodedFrame.of("6"), "e"); // stored before the join's read
      room.stream().offer(7, EncodedFrame.of("7"), "e"); // and after it
      assertEquals(List.of(), got, "held while the join is away");
      got.add("joined 3..6");
      room.rejoined(member, again, 3, 6, "e", java.util.Set.of(), 0);
      room.stream().offer(8, EncodedFrame.of("8"), "e");
      assertEquals(List.of("joined 3..6", "7", "8"), got);

      JoinAttempt few = room.rejoinStarted(member);
      room.stream().offer(9, EncodedFrame.of("9"), "e");
      room.stream().offer(10, EncodedFrame.of("10"), "e");
      room.stream().offer(11, EncodedFrame.of("11"), "e"); // after the join's read
      room.beforeRejoined(member, 10, "e");
      got.add("joined 10..10");
      room.rejoined(member, few, 10, 10, "e", java.util.Set.of(), 0);
      assertEquals(List.of("joined 3..6", "7", "8", "9", "joined 10..10", "11"), got,
          "no gap at 9, and 10 once, in its history");

      JoinAttempt none = room.rejoinStarted(member);
      room.stream().offer(12, EncodedFrame.of("12"), "e");
      room.beforeRejoined(member, 13, "e"); // history 0: it says seq 12
      got.add("joined 12, no history");
      room.rejoined(member, none, 13, 12, "e", java.util.Set.of(), 0);
      room.stream().offer(13, EncodedFrame.of("13"), "e");
      assertEquals(List.of("9", "joined 10..10", "11", "12", "joined 12, no history", "13"),
          got.subList(3, got.size()));

      JoinAttempt failing = room.rejoinStarted(member);
      room.stream().offer(14, EncodedFrame.of("14"), "e");
      room.rejoinFailed(member, failing);
      room.stream().offer(15, EncodedFrame.of("15"), "e");
      assertEquals(List.of("13", "14", "15"), got.subList(got.size() - 3, got.size()));

      JoinAttempt elsewhere = room.rejoinStarted(member);
      room.stream().offer(16, EncodedFrame.of("16"), "e");
      room.beforeRejoined(member, 40, "e-other"); // its seqs are another log's
      room.rejoined(member, elsewhere, 40, 40, "e-other", java.util.Set.of(), 0);
      assertEquals("16", got.get(got.size() - 1), "on from where it stopped");
      test.completeNow();
    }));
  }

  /**
   * A repeat join asks for one message of history and its answer (seq 8) reaches the node before
   * messages 6 to 8 do. The member goes on after 8, as from a first join: sent after the joined
   * frame from what it had (5), 6 and 7 came back in seq and 8 came twice.
   */
  @Test
  void aRepeatJoinAnsweredAheadOfTheStreamGoesOnAfterItsHistory(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> got = new ArrayList<>();
      LocalRoom room = roomWithoutLog(vertx);
      ClientSession member = new ClientSession("s1", socket(got), MEMBER, null, null, 0, null);
      room.joined(member, 5, "e");
      JoinAttempt again = room.rejoinStarted(member);
      room.beforeRejoined(member, 8, "e"); // 6 and 7 are not here yet
      got.add("joined 8..8");
      room.rejoined(member, again, 8, 8, "e", java.util.Set.of(), 0);
      for (int seq = 6; seq <= 9; seq++) {
        room.stream().offer(seq, EncodedFrame.of(Integer.toString(seq)), "e");
      }
      assertEquals(List.of("joined 8..8", "9"), got, "on from the joined frame's history, each once, in seq");
      test.completeNow();
    }));
  }

  /**
   * A member joins the room again (to read its members and history): the events that come while
   * that join is on its way are held, and passed on after its joined frame where they change its
   * list. Sent live, dave's join went out before a list taken before it, and the client, taking
   * the list as the room's, lost dave. A repeat join that fails passes them all on.
   */
  @Test
  void presenceDuringARepeatJoinFollowsItsJoinedFrame(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> got = new ArrayList<>();
      LocalRoom room = roomWithoutLog(vertx);
      ClientSession member = new ClientSession("s1", socket(got), MEMBER, null, null, 0, null);
      room.joined(member, 0, "e");
      JoinAttempt again = room.rejoinStarted(member);
      String dave = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "dave", "Dave", 3);
      String erin = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "erin", "Erin", 4);
      room.presence(EncodedFrame.of(dave));
      room.presence(EncodedFrame.of(erin));
      assertEquals(List.of(), got, "held while the join is away");
      got.add("joined"); // what MembershipCommands sends before it tells the room
      room.rejoined(member, again, 1, 0, "e", java.util.Set.of("ann", "erin"), 2);
      assertEquals(List.of("joined", dave), got, "erin was in the list already");

      JoinAttempt failing = room.rejoinStarted(member);
      String fay = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "fay", "Fay", 5);
      room.presence(EncodedFrame.of(fay));
      room.rejoinFailed(member, failing);
      String gus = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "gus", "Gus", 6);
      room.presence(EncodedFrame.of(gus));
      assertEquals(List.of("joined", dave, fay, gus), got, "a failed one passes its events on, then live again");
      test.completeNow();
    }));
  }

  /**
   * The room's log restarted under its members: each is held until a joined frame of the new log
   * tells it, and the presence events that come meanwhile follow that frame, where they change
   * its list. Sent live, they went out before a list taken after them.
   */
  @Test
  void presenceWhileALogRestartIsToldFollowsTheNewJoinedFrame(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> got = new ArrayList<>();
      List<String> resets = new ArrayList<>();
      LocalRoom room = new LocalRoom(vertx, "lobby", (r, after, limit) -> Future.failedFuture("not read here"),
          new io.switchboard.ops.NodeMetrics(), (name, members, from, epoch) -> resets.add(epoch));
      ClientSession member = new ClientSession("s1", socket(got), MEMBER, null, null, 0, null);
      room.joined(member, 0, "e1");
      room.stream().offer(1, EncodedFrame.of("{\"seq\":1}"), "e2"); // the new log's first message
      assertEquals(List.of("e2"), resets);
      String dave = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "dave", "Dave", 2);
      String erin = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "erin", "Erin", 3);
      room.presence(EncodedFrame.of(dave));
      room.presence(EncodedFrame.of(erin));
      assertEquals(List.of(), got, "held with the member");
      got.add("joined");
      room.resumeAt(member, 1, "e2", java.util.Set.of("ann", "erin"), 2);
      assertEquals(List.of("joined", dave), got);
      test.completeNow();
    }));
  }

  /**
   * A member who joined behind the stream reads the log, and the read answers from another log
   * (the room's was lost and began again, and no frame of the new one came yet): nothing of it is
   * sent under the old log's seqs; the stream follows the new log and holds the member, to be
   * told of it by a fresh join.
   */
  @Test
  void aCatchUpReadFromAnotherLogIsNotSentAndRestartsTheStream(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> {
      List<String> got = new ArrayList<>();
      List<String> resets = new ArrayList<>();
      LocalRoom room = new LocalRoom(vertx, "lobby", (r, after, limit) -> Future.succeededFuture(
          new LogPage(after + 1, List.of("new 11", "new 12"), false, "e2", 12)), null,
          (name, members, from, epoch) -> resets.add(epoch + " " + members.size()));
      room.stream().start(500, "e1");
      room.joined(new ClientSession("s1", socket(got), MEMBER, null, null, 0, null), 10, "e1"); // the read answers at once
      test.verify(() -> {
        assertEquals(List.of(), got);
        assertEquals(List.of("e2 1"), resets);
        assertEquals("e2", room.stream().epoch());
      });
      test.completeNow();
    });
  }

  /**
   * The user's tab on another node joined first, and its join comes here after this node's tab
   * was let in (both joined at once): this tab is not told its own user joined.
   */
  @Test
  void aUsersOtherTabIsNotToldTheUserCameOrWent(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> test.verify(() -> {
      List<String> got = new ArrayList<>();
      LocalRoom room = roomWithoutLog(vertx);
      ClientSession secondTab = new ClientSession("s2", socket(got), MEMBER, null, null, 0, null);
      room.joined(secondTab, 0, "e");
      String own = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "ann", "Ann", 2);
      room.presence(EncodedFrame.of(own));
      String ownLeave = io.switchboard.protocol.FrameEncoder.presence("lobby", "leave", "ann", "Ann", 1);
      room.presence(EncodedFrame.of(ownLeave));
      String other = io.switchboard.protocol.FrameEncoder.presence("lobby", "join", "bo", "Bo", 2);
      room.presence(EncodedFrame.of(other));
      assertEquals(List.of(other), got, "only someone else's");
      test.completeNow();
    }));
  }

  /** The lobby, with no log to read: what these tests deliver comes from the stream. */
  private static LocalRoom roomWithoutLog(Vertx vertx) {
    return new LocalRoom(vertx, "lobby", (r, after, limit) -> Future.failedFuture("not read here"),
        new io.switchboard.ops.NodeMetrics());
  }

  private static ServerWebSocket socket(List<String> got) {
    return RecordingSocket.into(got);
  }

  /** The room's stream is at seq 500 with an empty recent window; a member joins at seq 10. */
  private static void joinBehindTheStream(Vertx vertx, LogReader log) {
    LocalRoom room = new LocalRoom(vertx, "lobby", log, null);
    room.stream().start(500, "e");
    room.joined(new ClientSession("s1", null, MEMBER, null, null, 0, null), 10, "e");
  }
}
