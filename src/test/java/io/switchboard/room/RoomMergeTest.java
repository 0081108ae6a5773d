package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import com.hazelcast.spi.merge.MergingValue;
import io.switchboard.protocol.Member;
import java.lang.reflect.Proxy;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A room after a split brain healed: the larger side's log stays, the messages only the smaller
 * side stored follow it with new seqs under a new epoch, and members are the union. Without this,
 * Hazelcast kept the larger side's entry alone: acknowledged messages were lost, and clients of
 * the smaller side held seqs that named other messages under the same epoch.
 */
class RoomMergeTest {

  private static final InternalSerializationService SERIALIZATION = new DefaultSerializationServiceBuilder().build();

  @AfterAll
  static void dispose() {
    SERIALIZATION.dispose();
  }

  /** The same room, split after {@code shared} messages; each side then stores its own. */
  private static RoomState[] split(int shared) {
    RoomState room = new RoomState("e-1", 100);
    for (int i = 1; i <= shared; i++) {
      append(room, "before " + i, i);
    }
    room.join("ann", "Ann", "n-big");
    room.join("bob", "Bob", "n-small");
    RoomState big = SERIALIZATION.toObject(SERIALIZATION.toData(room));
    RoomState small = SERIALIZATION.toObject(SERIALIZATION.toData(room));
    return new RoomState[] {big, small};
  }

  private static void append(RoomState room, String text, long id) {
    new RoomAppend("e-x", 100, Integer.MAX_VALUE, new String[] {"{\"type\":\"message\",\"room\":\"r\",\"seq\":"},
        new String[] {",\"text\":\"" + text + "\"}"}, id).process(new AbstractMap.SimpleEntry<>("r", room));
  }

  private static String textAt(RoomState room, long seq) {
    String m = room.log().slice(seq, seq).get(0);
    int start = m.indexOf("\"text\":\"") + 8;
    return m.substring(start, m.indexOf('"', start));
  }

  /** Appends {@code text}, stored at second {@code second} of the day, to a room that keeps {@code capacity}. */
  private static void appendAt(RoomState room, int capacity, String text, long id, int second) {
    new RoomAppend("e-x", capacity, Integer.MAX_VALUE, new String[] {"{\"type\":\"message\",\"room\":\"r\",\"seq\":"},
        new String[] {",\"text\":\"" + text + "\",\"ts\":\"2026-12-05T10:00:" + String.format("%02d", second) + ".000Z\"}"}, id)
        .process(new AbstractMap.SimpleEntry<>("r", room));
  }

  /** A room that keeps 4, split after 2 messages; the larger side then stores 5 (keeping seqs 4 to 7, from second 11). */
  private static RoomState[] splitAndEvict() {
    RoomState room = new RoomState("e-1", 4);
    appendAt(room, 4, "before 1", 1, 1);
    appendAt(room, 4, "before 2", 2, 2);
    RoomState big = SERIALIZATION.toObject(SERIALIZATION.toData(room));
    RoomState small = SERIALIZATION.toObject(SERIALIZATION.toData(room));
    for (int i = 3; i <= 7; i++) {
      appendAt(big, 4, "big " + i, 30 + i, 7 + i);
    }
    return new RoomState[] {big, small};
  }

  /**
   * The larger side let go of seqs below 4, and the smaller side's own seq 3 is among them: its
   * time (after the larger side's oldest kept message) tells it was stored after the split.
   */
  @Test
  void aSmallerSidesMessageBelowTheLargerSidesOldestKeptIsToldByItsTime() {
    RoomState[] sides = splitAndEvict();
    appendAt(sides[1], 4, "small 3", 99, 20);
    RoomState merged = RoomMerge.merged(sides[0], sides[1], "e-2");
    assertEquals(8, merged.log().seqOf(99), "kept, after the larger side's");
    assertEquals("small 3", textAt(merged, 8));
    assertEquals("big 7", textAt(merged, 7));
    assertEquals("e-2", merged.epoch());
  }

  /**
   * Its time is its node's clock: one a second behind the larger side's stamped it a second before
   * that side's oldest kept message, though it was stored after it. Within the clocks' margin it
   * is kept rather than dropped as shared history.
   */
  @Test
  void aSmallerSidesMessageStampedByASlowClockIsStillKept() {
    RoomState[] sides = splitAndEvict();
    appendAt(sides[1], 4, "small 3", 99, 10); // the larger side's oldest kept: second 11
    RoomState merged = RoomMerge.merged(sides[0], sides[1], "e-2");
    assertEquals(8, merged.log().seqOf(99), "kept, after the larger side's");
    assertEquals("small 3", textAt(merged, 8));
  }

  /**
   * One stored before the larger side's oldest kept message cannot be told from shared history:
   * it is lost, but the epoch changes, so that the smaller side's clients do not trust seqs that
   * now name other messages.
   */
  @Test
  void whatCannotBeToldApartStillChangesTheEpoch() {
    RoomState[] sides = splitAndEvict();
    appendAt(sides[1], 4, "small 3", 99, 5);
    RoomState merged = RoomMerge.merged(sides[0], sides[1], "e-2");
    assertEquals("e-2", merged.epoch());
    assertEquals(7, merged.log().lastSeq());
  }

  /** The smaller side's copy of the larger side's oldest kept message proves what is below it shared. */
  @Test
  void sharedHistoryBelowTheOldestKeptChangesNothing() {
    RoomState room = new RoomState("e-1", 4);
    for (int i = 1; i <= 6; i++) {
      appendAt(room, 4, "before " + i, i, i);
    }
    RoomState big = SERIALIZATION.toObject(SERIALIZATION.toData(room));
    RoomState small = SERIALIZATION.toObject(SERIALIZATION.toData(room));
    appendAt(big, 4, "big 7", 37, 30);
    appendAt(big, 4, "big 8", 38, 31);
    RoomState merged = RoomMerge.merged(big, small, "e-2");
    assertEquals("e-1", merged.epoch(), "the smaller side stored nothing new");
    assertEquals(8, merged.log().lastSeq());
  }

  /**
   * A keyed message stored on both sides at different seqs (the smaller side stored it at 4 and
   * answered unavailable; sent again under its key on the larger side, it came after "big 4"):
   * shared, so not stored twice, but the smaller side's clients hold seq 4 as that message, so
   * the room takes a new epoch. Kept under e-1, they took "keyed" at 5 as new and never saw "big 4".
   */
  @Test
  void aMessageBothSidesStoredAtDifferentSeqsGivesANewEpoch() {
    RoomState[] sides = split(3);
    RoomState big = sides[0];
    RoomState small = sides[1];
    append(big, "big 4", 41);
    append(big, "keyed", 77);
    append(small, "keyed", 77);

    RoomState merged = RoomMerge.merged(big, small, "e-2");
    assertEquals("e-2", merged.epoch(), "seq 4 names another message on each side");
    assertEquals(List.of("before 1", "before 2", "before 3", "big 4", "keyed"),
        List.of(1, 2, 3, 4, 5).stream().map(seq -> textAt(merged, seq)).toList(), "stored once");
    assertEquals(5, merged.log().lastSeq());
  }

  @Test
  void theSmallerSidesMessagesFollowTheLargerSidesUnderANewEpoch() {
    RoomState[] sides = split(3);
    RoomState big = sides[0];
    RoomState small = sides[1];
    append(big, "big 4", 41);
    append(big, "big 5", 51);
    append(small, "small 4", 42);
    small.leave("bob", "n-small");
    small.join("cat", "Cat", "n-small");

    RoomState merged = RoomMerge.merged(big, small, "e-2");
    assertEquals("e-2", merged.epoch(), "clients must not trust their cursors");
    assertEquals(6, merged.log().lastSeq());
    assertEquals(List.of("before 1", "before 2", "before 3", "big 4", "big 5", "small 4"),
        List.of(1, 2, 3, 4, 5, 6).stream().map(seq -> textAt(merged, seq)).toList());
    assertEquals("{\"type\":\"message\",\"room\":\"r\",\"seq\":6,\"text\":\"small 4\"}", merged.log().slice(6, 6).get(0),
        "renumbered, and otherwise the frame as stored");
    assertEquals(6, merged.log().seqOf(42), "its append id goes with it: a retry still answers its seq");
    assertEquals(List.of(new Member("ann", "Ann"), new Member("bob", "Bob"), new Member("cat", "Cat")),
        merged.memberList(), "the union: each node's next reconciliation round corrects it");
    assertEquals(new TreeSet<>(List.of("n-big", "n-small")), new TreeSet<>(merged.nodes()));

    RoomState again = SERIALIZATION.toObject(SERIALIZATION.toData(merged));
    assertEquals(merged.log().all(), again.log().all());
  }

  /**
   * A full log: the larger side let its oldest messages go as it stored new ones, and the smaller
   * side still holds them. They are not the smaller side's own: they stay gone, not come back as
   * the newest.
   */
  @Test
  void whatTheLargerSideLetGoForRetentionDoesNotComeBack() {
    RoomState room = new RoomState("e-1", 4);
    for (int i = 1; i <= 4; i++) {
      appendTo(room, 4, "before " + i, i);
    }
    RoomState big = SERIALIZATION.toObject(SERIALIZATION.toData(room));
    RoomState small = SERIALIZATION.toObject(SERIALIZATION.toData(room));
    appendTo(big, 4, "big 5", 51);
    appendTo(big, 4, "big 6", 61);
    appendTo(small, 4, "small 5", 52);

    RoomState merged = RoomMerge.merged(big, small, "e-2");
    assertEquals(7, merged.log().lastSeq());
    assertEquals(List.of("before 3", "before 4", "big 5", "big 6", "small 5"),
        List.of(3, 4, 5, 6, 7).stream().map(seq -> textAt(merged, seq)).toList());
  }

  private static void appendTo(RoomState room, int capacity, String text, long id) {
    new RoomAppend("e-x", capacity, Integer.MAX_VALUE, new String[] {"{\"type\":\"message\",\"room\":\"r\",\"seq\":"},
        new String[] {",\"text\":\"" + text + "\"}"}, id).process(new AbstractMap.SimpleEntry<>("r", room));
  }

  @Test
  void aSideThatStoredNothingNewChangesNeitherLogNorEpoch() {
    RoomState[] sides = split(3);
    append(sides[0], "big 4", 41);
    RoomState merged = RoomMerge.merged(sides[0], sides[1], "e-2");
    assertEquals("e-1", merged.epoch());
    assertEquals(4, merged.log().lastSeq());
    assertEquals("big 4", textAt(merged, 4));
  }

  @Test
  void theLargerSideHadLostTheRoomOrNeverHadIt() {
    RoomState[] sides = split(2);
    RoomState fresh = new RoomState("e-9", 100); // the room's log was lost on the larger side and began again
    append(fresh, "after loss", 7);
    RoomState merged = RoomMerge.merged(fresh, sides[1], "e-3");
    assertEquals("e-3", merged.epoch());
    assertEquals(List.of("after loss", "before 1", "before 2"), List.of(1, 2, 3).stream().map(s -> textAt(merged, s)).toList());

    RoomMerge policy = new RoomMerge();
    Object small = sides[1];
    assertSame(small, policy.merge(entry(sides[1]), null), "no entry on the larger side: the smaller side's stays");
    assertNull(policy.merge(null, null));
    RoomState[] again = split(2);
    append(again[1], "small 3", 33);
    RoomState viaPolicy = (RoomState) policy.merge(entry(again[1]), entry(again[0]));
    assertNotEquals("e-1", viaPolicy.epoch(), "a fresh epoch");
    assertEquals("small 3", textAt(viaPolicy, 3));
  }

  /**
   * One side removed the room as idle and it was written in again: two logs. Appending the old
   * one after the new put a month-old message last, read as the newest: time order instead.
   */
  @Test
  void twoLogsOfOneRoomMergeInTheOrderOfTheirTimes() {
    RoomState old = new RoomState("e-1", 100);
    appendAt(old, "october", 1, "2026-10-01T10:00:00.000Z");
    appendAt(old, "november", 2, "2026-11-01T10:00:00.000Z");
    old.join("bob", "Bob", "n-small");
    RoomState again = new RoomState("e-7", 100);
    appendAt(again, "december", 3, "2026-12-04T10:00:00.000Z");
    appendAt(again, "december too", 4, "2026-12-04T11:00:00.000Z");
    again.join("ann", "Ann", "n-big");

    RoomState merged = RoomMerge.merged(again, old, "e-3");
    assertEquals("e-3", merged.epoch());
    assertEquals(List.of("october", "november", "december", "december too"),
        List.of(1, 2, 3, 4).stream().map(seq -> textAt(merged, seq)).toList());
    assertEquals(java.time.Instant.parse("2026-12-04T11:00:00.000Z").toEpochMilli(), merged.newestTime());
    assertEquals(new TreeSet<>(List.of("ann", "bob")), new TreeSet<>(merged.memberList().stream().map(Member::user).toList()));
    RoomState copy = SERIALIZATION.toObject(SERIALIZATION.toData(merged));
    assertEquals(4, copy.log().lastSeq());
    assertEquals(3, copy.log().seqOf(3), "append ids kept: a retried append is still known");
  }

  /**
   * A side whose log holds nothing the other lacks (here: none) adds nothing to the log, but the
   * room takes a new epoch: ann's node may have followed the room from e-1 to e-7 on its side,
   * and a stream drops the frames of a log it has left. Kept under e-1, the room sent ann nothing
   * until she joined again.
   */
  @Test
  void aLogBegunAgainWithoutMessagesKeepsTheOtherLogUnderANewEpoch() {
    RoomState old = new RoomState("e-1", 100);
    appendAt(old, "october", 1, "2026-10-01T10:00:00.000Z");
    RoomState again = new RoomState("e-7", 100); // joined again on the other side, nothing written
    again.join("ann", "Ann", "n-big");
    RoomState kept = RoomMerge.merged(old, again, "e-3");
    assertEquals("e-3", kept.epoch(), "neither side's log: no stream has left it");
    assertEquals(List.of("october"), List.of(1).stream().map(seq -> textAt(kept, seq)).toList());
    assertEquals(1, kept.memberList().size());

    RoomState emptyHere = new RoomState("e-8", 100);
    emptyHere.join("bob", "Bob", "n-small");
    RoomState theirs = RoomMerge.merged(emptyHere, old, "e-4");
    assertEquals("e-4", theirs.epoch(), "the only log, under a new epoch: ann's side is told of bob (see below)");
    assertEquals(List.of("october"), List.of(1).stream().map(seq -> textAt(theirs, seq)).toList());
    assertEquals(new TreeSet<>(List.of("ann", "bob")), new TreeSet<>(theirs.memberList().stream().map(Member::user).toList()));
  }

  /**
   * Each side of a split brain purged the other's nodes, and told its clients their users left.
   * Once healed, the room lists both sides' members, and nothing else would tell either side's
   * clients of the others: where a side that has members lacks some of the other's, the room
   * gets a new epoch (its log as it was), and each node's next round sends its members a fresh
   * list. A side without members has no one to tell.
   */
  @Test
  void membersOneSideLacksChangeTheEpochSoThatItsClientsAreTold() {
    RoomState[] sides = split(2); // ann on n-big, bob on n-small
    sides[0].purge("n-small");
    sides[1].purge("n-big");
    RoomState merged = RoomMerge.merged(sides[0], sides[1], "e-5");
    assertEquals("e-5", merged.epoch());
    assertEquals(List.of("before 1", "before 2"), List.of(1, 2).stream().map(seq -> textAt(merged, seq)).toList());
    assertEquals(2, merged.log().lastSeq(), "the log as it was");
    assertEquals(new TreeSet<>(List.of("ann", "bob")), new TreeSet<>(merged.memberList().stream().map(Member::user).toList()));

    RoomState[] quiet = split(2);
    quiet[0].join("bob", "Bob", "n-big"); // bob had a tab on each side: both list him, nobody to tell
    quiet[0].purge("n-small");
    quiet[1].purge("n-big");
    quiet[1].join("ann", "Ann", "n-small");
    assertEquals("e-1", RoomMerge.merged(quiet[0], quiet[1], "e-6").epoch());
    RoomState[] oneSided = split(2);
    oneSided[0].purge("n-small");
    oneSided[1].purge("n-big");
    oneSided[1].purge("n-small"); // the smaller side's members all left: it has no client to tell
    assertEquals("e-1", RoomMerge.merged(oneSided[0], oneSided[1], "e-7").epoch());
    assertEquals("e-1", RoomMerge.merged(oneSided[1], oneSided[0], "e-8").epoch(), "nor the other way round");
  }

  private static void appendAt(RoomState room, String text, long id, String ts) {
    new RoomAppend("e-x", 100, Integer.MAX_VALUE, new String[] {"{\"type\":\"message\",\"room\":\"r\",\"seq\":"},
        new String[] {",\"text\":\"" + text + "\",\"ts\":\"" + ts + "\"}"}, id).process(new AbstractMap.SimpleEntry<>("r", room));
  }

  @SuppressWarnings("unchecked")
  private static MergingValue<RoomState> entry(RoomState value) {
    return (MergingValue<RoomState>) Proxy.newProxyInstance(RoomMergeTest.class.getClassLoader(),
        new Class<?>[] {MergingValue.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getDeserializedValue", "getRawValue", "getValue" -> value;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
