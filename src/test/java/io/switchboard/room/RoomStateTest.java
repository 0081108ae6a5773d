package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import io.switchboard.protocol.Member;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * One room as the cluster stores it: presence counted per user per node (PROTOCOL.md: members
 * and count are per user, a user with three tabs counts once), its Hazelcast serialization, and
 * the entry processors that change it, run here on a plain map entry as a partition would.
 */
class RoomStateTest {

  private static final InternalSerializationService SERIALIZATION = new DefaultSerializationServiceBuilder().build();

  @AfterAll
  static void dispose() {
    SERIALIZATION.dispose();
  }

  private static <T> T roundTrip(T value) {
    T copy = SERIALIZATION.toObject(SERIALIZATION.toData(value));
    assertNotSame(value, copy);
    return copy;
  }

  private static RoomState room() {
    return new RoomState("e-1", 100);
  }

  private static Set<String> nodes(RoomState s) {
    return new TreeSet<>(s.nodes());
  }

  /** Everything observable about a room, to compare two copies. */
  private static String describe(RoomState s) {
    return s.epoch() + " " + s.log().firstSeq() + ".." + s.log().lastSeq() + " " + s.log().all() + " "
        + s.memberList() + " " + nodes(s);
  }

  private static Map.Entry<String, RoomState> entry(RoomState value) {
    return new AbstractMap.SimpleEntry<>("lobby", value);
  }

  private static RoomAppend append(String text) {
    return new RoomAppend("e-new", 100, "{\"seq\":", ",\"text\":\"" + text + "\"}");
  }

  private static RoomJoin joinOp(String user, String node, boolean count) {
    return new RoomJoin("e-new", 100, user, user.toUpperCase(), node, count, -1, null, 50, 500);
  }

  // ---- presence: join and leave edges

  /**
   * Hazelcast runs a join or leave again on the partition's new owner when the old one died
   * before answering, and that copy (the backup) applied it already. Counted twice, the join's
   * rerun said "not the first" and the leave's "not the last", so no presence event was sent.
   * Each change, named by its node and stamp, is applied once and answers the same again.
   */
  @Test
  void aJoinOrLeaveRunAgainCountsOnceAndAnswersAsTheFirstRun() {
    Map.Entry<String, RoomState> e = entry(room());
    RoomJoin join = joinOp("alice", "n1", true).stamped(7);
    assertTrue(join.process(e).edge());
    assertTrue(join.process(e).edge(), "the rerun answers the first connection too");
    assertEquals(1, e.getValue().memberCount());
    assertTrue(e.getValue().leave("alice", "n1"), "counted once: one leave takes her out");
    e.getValue().join("alice", "Alice", "n1");

    RoomOps.Leave leave = new RoomOps.Leave("alice", "n1", 8);
    RoomReply first = leave.process(e);
    RoomReply again = leave.process(e);
    assertTrue(first.edge());
    assertTrue(again.edge(), "the rerun answers the last connection too");
    assertEquals("Alice", again.name(), "with her name, though she is gone");
    assertEquals(0, e.getValue().memberCount());

    assertNull(leave.getBackupProcessor(), "a re-run changed nothing: nothing for a backup to replay");
    assertNull(join.getBackupProcessor());

    RoomJoin other = joinOp("alice", "n1", true).stamped(9);
    assertTrue(other.process(e).edge(), "another change is applied");
    assertNotNull(other.getBackupProcessor(), "and replayed by the backup");
    RoomJoin sameStampOtherNode = joinOp("alice", "n2", true).stamped(9);
    assertFalse(sameStampOtherNode.process(e).edge(), "stamps are per node: applied too");
    assertEquals(java.util.List.of("n1", "n2"), new java.util.ArrayList<>(new java.util.TreeSet<>(e.getValue().nodes())));

    // a reconnect storm between the first run and the re-run: the change is still found
    for (int i = 0; i < 500; i++) {
      joinOp("u" + i, "n3", true).stamped(100 + i).process(e);
    }
    assertTrue(other.process(e).edge(), "found past 500 other changes");
    assertEquals(501, e.getValue().memberCount(), "alice once, and the 500");
  }

  /** A room that went quiet after a storm of joins forgets them once no re-run can come. */
  @Test
  void appliedChangesPastTheirKeepAreForgotten() {
    RoomState state = room();
    // on the node's monotonic clock: never sent anywhere, and a wall clock stepped forward
    // 11 minutes forgot every change at once (a re-run then counted twice)
    long now = io.switchboard.ops.Clocks.monotonicMillis();
    for (int i = 0; i < 300; i++) {
      state.applied("n1", 1 + i, true, "U" + i);
    }
    assertEquals(300, state.appliedCount());
    state.trimApplied(now + 60_000);
    assertEquals(300, state.appliedCount(), "a re-run may still come within KEEP_MS");
    state.trimApplied(now + AppliedChanges.KEEP_MS + 60_000);
    assertEquals(0, state.appliedCount(), "none is kept past it");
  }

  @Test
  void firstConnectionOfAUserIsTheJoinEdge() {
    RoomState s = room();
    assertTrue(s.join("alice", "Alice", "n1"));
    assertEquals(List.of(new Member("alice", "Alice")), s.memberList());
    assertEquals(1, s.memberCount());
  }

  @Test
  void secondConnectionOnTheSameNodeIsNotAnEdge() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    assertFalse(s.join("alice", "Alice", "n1"));
    assertEquals(1, s.memberCount());
  }

  @Test
  void secondConnectionOnAnotherNodeIsNotAnEdge() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    assertFalse(s.join("alice", "Alice", "n2"));
    assertEquals(1, s.memberCount());
  }

  @Test
  void userWithThreeTabsCountsOnce() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    s.join("alice", "Alice", "n1");
    s.join("alice", "Alice", "n2");
    s.join("bob", "Bob", "n1");
    assertEquals(2, s.memberCount());
    assertEquals(List.of(new Member("alice", "Alice"), new Member("bob", "Bob")), s.memberList());
  }

  @Test
  void leavingOneOfSeveralConnectionsIsNotTheLeaveEdge() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    s.join("alice", "Alice", "n1");
    assertFalse(s.leave("alice", "n1"));
    assertEquals(1, s.memberCount());
  }

  @Test
  void leavingTheLastConnectionOnOneNodeWhileAnotherNodeHasOneIsNotTheEdge() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    s.join("alice", "Alice", "n2");
    assertFalse(s.leave("alice", "n1"));
    assertEquals(Set.of("n2"), nodes(s));
  }

  @Test
  void leavingTheLastConnectionIsTheEdgeAndRemovesTheMember() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    s.join("alice", "Alice", "n2");
    s.leave("alice", "n1");
    assertTrue(s.leave("alice", "n2"));
    assertEquals(List.of(), s.memberList());
    assertEquals(0, s.memberCount());
    assertEquals(Set.of(), nodes(s));
  }

  @Test
  void leaveOfAUserWhoIsNotThereChangesNothing() {
    RoomState s = room();
    s.join("bob", "Bob", "n1");
    assertFalse(s.leave("alice", "n1"));
    assertEquals(1, s.memberCount());
  }

  @Test
  void leaveFromANodeWhereTheUserHasNoConnectionChangesNothing() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    assertFalse(s.leave("alice", "n2"));
    assertEquals(1, s.memberCount());
    assertTrue(s.leave("alice", "n1"), "the n1 connection is still counted");
  }

  @Test
  void rejoinAfterTheLastLeaveIsAnEdgeAgain() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    s.leave("alice", "n1");
    assertTrue(s.join("alice", "Alice", "n1"));
  }

  @Test
  void moreLeavesThanJoinsNeverGoNegative() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    assertTrue(s.leave("alice", "n1"));
    assertFalse(s.leave("alice", "n1"));
    assertTrue(s.join("alice", "Alice", "n1"), "a stray leave does not leave a debt behind");
    assertEquals(1, s.memberCount());
  }

  @Test
  void membersAreSortedByUserIdInCodePointOrder() {
    RoomState s = room();
    for (String u : List.of("carol", "alice", "Zed", "bob", "1st")) {
      s.join(u, u, "n1");
    }
    assertEquals(List.of("1st", "Zed", "alice", "bob", "carol"), s.memberList().stream().map(Member::user).toList());
  }

  @Test
  void displayNameIsKeptPerUser() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    assertEquals("Alice", s.nameOf("alice"));
    assertEquals("nobody", s.nameOf("nobody"), "an absent user is named by the id");
  }

  @Test
  void nodesAreThoseWithAtLeastOneConnection() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    s.join("bob", "Bob", "n2");
    s.join("carol", "Carol", "n2");
    s.join("carol", "Carol", "n3");
    assertEquals(Set.of("n1", "n2", "n3"), nodes(s));
    assertEquals(3, s.nodes().size(), "each node once");
    s.leave("carol", "n3");
    assertEquals(Set.of("n1", "n2"), nodes(s));
  }

  @Test
  void emptyRoomHasNoNodes() {
    assertEquals(List.of(), room().nodes());
  }

  // ---- purge

  @Test
  void purgeRemovesEveryConnectionOfTheNodeAndReportsWhoLeft() {
    RoomState s = room();
    s.join("alice", "Alice", "dead");
    s.join("alice", "Alice", "dead");
    s.join("bob", "Bob", "dead");
    s.join("bob", "Bob", "live");
    s.join("carol", "Carol", "live");
    assertEquals(List.of(new Member("alice", "Alice")), s.purge("dead"));
    assertEquals(List.of(new Member("bob", "Bob"), new Member("carol", "Carol")), s.memberList());
    assertEquals(Set.of("live"), nodes(s));
  }

  @Test
  void purgeOfANodeWithoutConnectionsChangesNothing() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    assertEquals(List.of(), s.purge("n9"));
    assertEquals(1, s.memberCount());
  }

  @Test
  void afterPurgeTheUsersOtherConnectionsStillCount() {
    RoomState s = room();
    s.join("bob", "Bob", "dead");
    s.join("bob", "Bob", "live");
    s.purge("dead");
    assertTrue(s.leave("bob", "live"));
  }

  // ---- Hazelcast serialization

  @Test
  void roomStateSurvivesSerialization() {
    RoomState s = new RoomState("e-5b1c", 100);
    s.log().append("m1", 100);
    s.log().append("m2", 100);
    s.join("alice", "Alice", "n1");
    s.join("alice", "Alice", "n2");
    s.join("bob", "Bob", "n1");
    RoomState copy = roundTrip(s);
    assertEquals(describe(s), describe(copy));
    assertEquals("e-5b1c", copy.epoch());
    assertEquals(List.of("m1", "m2"), copy.log().all());
    assertEquals(2, copy.log().lastSeq());
  }

  /**
   * A purge's answer goes with the room when it is copied (a migration): the node's retry of a
   * purge whose call failed may find the partition moved, and must still hear the leaves made.
   */
  @Test
  void serializationKeepsTheAnswersOfTheLastOperations() {
    RoomState s = room();
    for (long op = 1; op <= 5; op++) {
      RoomReply r = new RoomReply();
      r.members = List.of(new io.switchboard.protocol.Member("u" + op, "U" + op));
      r.count = (int) op;
      s.answered(op, r);
    }
    RoomState copy = roundTrip(s);
    assertEquals(null, copy.answeredBy(1), "the oldest of five made way");
    for (long op = 2; op <= 5; op++) {
      assertEquals("u" + op, copy.answeredBy(op).members().get(0).user());
      assertEquals(op, copy.answeredBy(op).count());
    }
    assertEquals(null, roundTrip(room()).answeredBy(2));
  }

  /** The stamps go with the room, and the node index (not serialized) is rebuilt from its members. */
  @Test
  void serializationKeepsTheStampsAndRebuildsTheNodeIndex() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    s.join("bob", "Bob", "n2");
    s.changedBy("n1", "alice", 7);
    s.changedBy("n3", "carol", 9);
    RoomState copy = roundTrip(s);
    assertTrue(copy.changedSince("n1", "alice", 6));
    assertFalse(copy.changedSince("n1", "alice", 7));
    assertTrue(copy.changedSince("n3", "carol", 8));
    assertTrue(copy.hasNode("n3"), "a node with a stamp only");
    assertEquals(List.of("carol"), copy.usersOn("n3"));
    assertEquals(Set.of("n1", "n2"), nodes(copy));
    assertTrue(copy.leave("bob", "n2"));
    assertEquals(Set.of("n1"), nodes(copy), "the rebuilt index follows a leave");
  }

  @Test
  void serializationKeepsConnectionCountsPerNode() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    s.join("alice", "Alice", "n1");
    RoomState copy = roundTrip(s);
    assertFalse(copy.leave("alice", "n1"), "two connections were counted");
    assertTrue(copy.leave("alice", "n1"));
  }

  @Test
  void serializationAfterEvictionKeepsTheSeqWindowAndTheCapacity() {
    RoomState s = new RoomState("e-1", 3);
    for (int i = 1; i <= 7; i++) {
      s.log().append("m" + i, 3);
    }
    RoomState copy = roundTrip(s);
    assertEquals(5, copy.log().firstSeq());
    assertEquals(List.of("m5", "m6", "m7"), copy.log().all());
    copy.log().append("m8", 3);
    assertEquals(List.of("m6", "m7", "m8"), copy.log().all());
  }

  @Test
  void emptyRoomSurvivesSerialization() {
    RoomState copy = roundTrip(room());
    assertEquals(describe(room()), describe(copy));
    copy.log().append("m1", 100);
    assertEquals(1, copy.log().lastSeq());
  }

  @Test
  void roomReplySurvivesSerialization() {
    RoomReply r = new RoomReply();
    r.epoch = "e-7";
    r.seq = 57;
    r.firstSeq = 42;
    r.messages = List.of("{\"seq\":42}", "{\"seq\":43}");
    r.more = true;
    r.recovered = Boolean.TRUE;
    r.edge = true;
    r.name = "Alice";
    r.members = List.of(new Member("alice", "Alice"), new Member("bob", "Bob"));
    r.count = 2;
    r.nodes = List.of("n1", "n2");
    RoomReply copy = roundTrip(r);
    assertEquals("e-7", copy.epoch());
    assertEquals(57, copy.seq());
    assertEquals(42, copy.firstSeq());
    assertEquals(r.messages, copy.messages());
    assertTrue(copy.more());
    assertEquals(Boolean.TRUE, copy.recovered());
    assertTrue(copy.edge());
    assertEquals("Alice", copy.name());
    assertEquals(r.members, copy.members());
    assertEquals(2, copy.count());
    assertEquals(r.nodes, copy.nodes());
  }

  @Test
  void roomReplyKeepsRecoveredNullAndFalseApart() {
    RoomReply absent = new RoomReply();
    RoomReply no = new RoomReply();
    no.recovered = Boolean.FALSE;
    assertNull(roundTrip(absent).recovered());
    assertEquals(Boolean.FALSE, roundTrip(no).recovered());
  }

  @Test
  void defaultRoomReplySurvivesSerialization() {
    RoomReply copy = roundTrip(new RoomReply());
    assertEquals("", copy.epoch());
    assertEquals(List.of(), copy.messages());
    assertEquals(List.of(), copy.members());
    assertEquals(List.of(), copy.nodes());
    assertFalse(copy.edge());
  }

  // ---- entry processors

  @Test
  void appendToAnAbsentRoomCreatesItWithTheGivenEpochAndSeqOne() {
    Map.Entry<String, RoomState> e = entry(null);
    RoomReply r = append("a").process(e);
    assertEquals(1, r.seq());
    assertEquals("e-new", r.epoch());
    assertEquals("e-new", e.getValue().epoch());
    assertEquals(List.of("{\"seq\":1,\"text\":\"a\"}"), e.getValue().log().all());
  }

  @Test
  void appendAssignsConsecutiveSeqsAndKeepsTheRoomsEpoch() {
    Map.Entry<String, RoomState> e = entry(null);
    List<Long> seqs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      RoomReply r = new RoomAppend("e-" + i, 100, "{\"seq\":", "}").process(e);
      seqs.add(r.seq());
      assertEquals("e-0", r.epoch(), "the epoch only changes when the log is lost");
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), seqs);
    assertEquals(List.of("{\"seq\":1}", "{\"seq\":2}", "{\"seq\":3}", "{\"seq\":4}", "{\"seq\":5}"),
        e.getValue().log().all());
  }

  @Test
  void appendEvictsBeyondTheCapacity() {
    Map.Entry<String, RoomState> e = entry(null);
    for (int i = 0; i < 5; i++) {
      new RoomAppend("e-1", 3, "", "").process(e);
    }
    assertEquals(List.of("3", "4", "5"), e.getValue().log().all());
  }

  @Test
  void appendAnswersTheNodesToFanOutTo() {
    RoomState s = room();
    s.join("alice", "Alice", "n1");
    s.join("bob", "Bob", "n2");
    RoomReply r = append("x").process(entry(s));
    assertEquals(Set.of("n1", "n2"), new TreeSet<>(r.nodes()));
  }

  @Test
  void sameAppendAppliedToABackupCopyYieldsTheSameState() {
    RoomState primary = room();
    primary.join("alice", "Alice", "n1");
    append("first").process(entry(primary));
    RoomState backup = roundTrip(primary);

    RoomAppend op = append("second");
    Map.Entry<String, RoomState> p = entry(primary);
    Map.Entry<String, RoomState> b = entry(backup);
    RoomReply onPrimary = op.process(p);
    RoomReply onBackup = op.process(b);

    assertEquals(onPrimary.seq(), onBackup.seq());
    assertEquals(describe(p.getValue()), describe(b.getValue()));
  }

  /** A member whose cluster clock reads {@code now}: enough of Hazelcast for an append's deadline. */
  private static com.hazelcast.core.HazelcastInstance memberAt(long now) {
    return memberAt(now, null);
  }

  /** A member at cluster time {@code now}, its user context holding {@code guard} (null: none). */
  private static com.hazelcast.core.HazelcastInstance memberAt(long now, io.switchboard.ops.MemoryGuard guard) {
    com.hazelcast.cluster.Cluster cluster = (com.hazelcast.cluster.Cluster) java.lang.reflect.Proxy.newProxyInstance(
        RoomStateTest.class.getClassLoader(), new Class<?>[] {com.hazelcast.cluster.Cluster.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getClusterTime")) {
            return now;
          }
          throw new UnsupportedOperationException(method.getName());
        });
    return (com.hazelcast.core.HazelcastInstance) java.lang.reflect.Proxy.newProxyInstance(
        RoomStateTest.class.getClassLoader(), new Class<?>[] {com.hazelcast.core.HazelcastInstance.class},
        (proxy, method, args) -> {
          if (method.getName().equals("getUserContext")) {
            java.util.concurrent.ConcurrentHashMap<String, Object> context = new java.util.concurrent.ConcurrentHashMap<>();
            if (guard != null) {
              context.put(io.switchboard.ops.MemoryGuard.KEY, guard);
            }
            return context;
          }
          if (method.getName().equals("getCluster")) {
            return cluster;
          }
          throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void anAppendTheOwnerComesToAfterItsDeadlineStoresNothingAndHasNoBackup() {
    RoomState s = room();
    append("first").process(entry(s));
    RoomAppend late = append("late").before(1_000);
    late.setHazelcastInstance(memberAt(1_001));
    RoomReply r = late.process(entry(s));
    assertTrue(r.expired());
    assertEquals(List.of("{\"seq\":1,\"text\":\"first\"}"), s.log().all());
    assertNull(late.getBackupProcessor(), "a refusal has nothing for the backup to replay");
    assertTrue(roundTrip(r).expired(), "the refusal reaches the caller");
  }

  @Test
  void anAppendInTimeIsStoredAndItsBackupReplaysItWithoutJudgingTheDeadlineAgain() {
    RoomState primary = room();
    RoomState backup = roundTrip(primary);
    RoomAppend op = append("in time").before(1_000);
    op.setHazelcastInstance(memberAt(1_000));
    assertFalse(op.process(entry(primary)).expired());

    RoomAppend replay = roundTrip(op.getBackupProcessor());
    replay.setHazelcastInstance(memberAt(9_999)); // the backup runs later: it must store all the same
    assertFalse(replay.process(entry(backup)).expired());
    assertEquals(describe(primary), describe(backup));
  }

  /**
   * A member short of heap stores nothing new in the rooms it owns, and has no backup replayed;
   * but as a backup it replays what an owner stored all the same: a copy that refused would go
   * on with other seqs than its owner's, and lose the message with the owner.
   */
  @Test
  void aMemberShortOfHeapRefusesAsOwnerButReplaysAsBackup() {
    io.switchboard.ops.MemoryGuard low = io.switchboard.ops.MemoryGuard.unfed(50);
    low.observe(90, 100);
    RoomState primary = room();
    RoomAppend refused = append("refused");
    refused.setHazelcastInstance(memberAt(0, low));
    assertTrue(refused.process(entry(primary)).lowMemory());
    assertNull(refused.getBackupProcessor(), "a refusal has nothing for the backup to replay");
    assertTrue(roundTrip(refused.process(entry(primary))).lowMemory(), "the refusal reaches the caller");
    assertEquals(List.of(), primary.log().all());

    RoomState backup = roundTrip(primary);
    RoomAppend op = append("stored");
    op.setHazelcastInstance(memberAt(0)); // an owner with heap to spare
    assertEquals(1, op.process(entry(primary)).seq());
    RoomAppend replay = roundTrip(op.getBackupProcessor());
    replay.setHazelcastInstance(memberAt(0, low)); // its backup is short of heap
    assertFalse(replay.process(entry(backup)).lowMemory());
    assertEquals(describe(primary), describe(backup));
  }

  @Test
  void aRetryOfAStoredAppendAnswersItsSeqsEvenPastTheDeadline() {
    RoomState s = room();
    RoomAppend op = new RoomAppend("e-new", 100, 1 << 20, new String[] {"{\"seq\":"},
        new String[] {"}"}, 42).before(1_000);
    op.setHazelcastInstance(memberAt(500));
    assertEquals(1, op.process(entry(s)).seq());
    op.setHazelcastInstance(memberAt(5_000)); // Hazelcast runs it again on the partition's new owner
    RoomReply again = op.process(entry(s));
    assertFalse(again.expired(), "it was stored: saying otherwise would invite a second copy");
    assertEquals(1, again.seq());
    assertEquals(1, s.log().all().size());
  }

  @Test
  void aJoinStampTravelsWithTheRoomAndKeepsAnOlderTruthFromUndoingTheJoin() {
    RoomState s = room();
    s.join("ann", "Ann", "n1");
    s.changedBy("n1", "ann", 7); // joined after a truth taken at 5
    RoomState copy = roundTrip(s); // as the backup, or a new owner, holds it
    List<Member> joined = new ArrayList<>();
    List<Member> left = new ArrayList<>();
    assertFalse(copy.reconcile("n1", Map.of(), List.of("ann"), 5, Set.of(), joined, left), "left alone: " + left);
    assertEquals(List.of(new Member("ann", "Ann")), copy.memberList());
    assertFalse(copy.forgetStamps("n1", 5), "not yet served");
    assertTrue(copy.forgetStamps("n1", 7), "a round whose truth was taken after it has it");
    assertTrue(copy.reconcile("n1", Map.of(), List.of("ann"), 7, Set.of(), joined, left));
    assertEquals(List.of(new Member("ann", "Ann")), left, "then a truth without her is written");
  }

  /**
   * An unused room that still holds a node's leave stamp is not removed yet: that node's round,
   * whose truth may predate the leave, would recreate it with the member who left.
   */
  @Test
  void anUnusedRoomIsKeptWhileANodesStampIsInIt() {
    Map.Entry<String, RoomState> e = entry(null);
    joinOp("vic", "n2", true).process(e);
    new RoomOps.Leave("vic", "n2", 9).process(e);
    assertEquals(Boolean.FALSE, new RoomOps.DropUnused().process(e));
    assertTrue(e.getValue() != null, "kept, to be tried again");
    e.getValue().forgetStamps("n2", 9); // n2's next round has seen the leave
    assertEquals(Boolean.TRUE, new RoomOps.DropUnused().process(e));
    assertNull(e.getValue());
  }

  @Test
  void serializedAppendAppliedToABackupCopyYieldsTheSameState() {
    RoomState primary = room();
    append("first").process(entry(primary));
    RoomState backup = roundTrip(primary);

    RoomAppend op = append("second");
    RoomAppend shipped = roundTrip(op);
    Map.Entry<String, RoomState> p = entry(primary);
    Map.Entry<String, RoomState> b = entry(backup);
    op.process(p);
    shipped.process(b);

    assertEquals(describe(p.getValue()), describe(b.getValue()));
  }

  @Test
  void oneAppendOfSeveralMessagesStoresThemInOrderWithContiguousSeqsOnPrimaryAndBackup() {
    RoomState primary = room();
    append("first").process(entry(primary));
    RoomState backup = roundTrip(primary);

    RoomAppend op = new RoomAppend("e-new", 100, new String[] {"{\"seq\":", "{\"seq\":"},
        new String[] {",\"text\":\"a\"}", ",\"text\":\"b\"}"});
    RoomReply r = op.process(entry(primary));
    roundTrip(op).process(entry(backup));

    assertEquals(2, r.firstSeq());
    assertEquals(3, r.seq());
    assertEquals(List.of("{\"seq\":2,\"text\":\"a\"}", "{\"seq\":3,\"text\":\"b\"}"), primary.log().slice(2, 3));
    assertEquals(describe(primary), describe(backup));
  }

  @Test
  void sameAppendOnAnAbsentRoomCreatesTheSameRoomOnPrimaryAndBackup() {
    RoomAppend op = append("first");
    Map.Entry<String, RoomState> p = entry(null);
    Map.Entry<String, RoomState> b = entry(null);
    op.process(p);
    roundTrip(op).process(b);
    assertEquals(describe(p.getValue()), describe(b.getValue()));
  }

  @Test
  void joinProcessorCountsTheConnectionAndAnswersSeqHistoryAndMembers() {
    Map.Entry<String, RoomState> e = entry(null);
    append("a").process(e);
    append("b").process(e);
    RoomReply r = joinOp("alice", "n1", true).process(e);
    assertTrue(r.edge());
    assertEquals(2, r.seq());
    assertEquals(2, r.messages().size());
    assertNull(r.recovered());
    assertEquals(List.of(new Member("alice", "ALICE")), r.members());
    assertEquals(1, r.count());
    assertEquals(List.of("n1"), r.nodes());
  }

  @Test
  void joinProcessorOnAnAbsentRoomStoresTheRoom() {
    Map.Entry<String, RoomState> e = entry(null);
    RoomReply r = joinOp("alice", "n1", true).process(e);
    assertEquals("e-new", r.epoch());
    assertEquals(0, r.seq());
    assertEquals(1, e.getValue().memberCount());
  }

  @Test
  void secondJoinProcessorOfTheSameUserIsNotAnEdge() {
    Map.Entry<String, RoomState> e = entry(null);
    joinOp("alice", "n1", true).process(e);
    RoomReply r = joinOp("alice", "n2", true).process(e);
    assertFalse(r.edge());
    assertEquals(1, r.count());
  }

  @Test
  void repeatedJoinThatDoesNotCountChangesNoMembership() {
    Map.Entry<String, RoomState> e = entry(null);
    joinOp("alice", "n1", true).process(e);
    RoomReply r = joinOp("alice", "n1", false).process(e);
    assertFalse(r.edge());
    assertTrue(e.getValue().leave("alice", "n1"), "still only one connection counted");
  }

  @Test
  void joinProcessorWithSinceRecovers() {
    Map.Entry<String, RoomState> e = entry(null);
    for (int i = 0; i < 5; i++) {
      append("m").process(e);
    }
    String epoch = e.getValue().epoch();
    RoomReply r = new RoomJoin("e-other", 100, "alice", "Alice", "n1", true, 3, epoch, 0, 500).process(e);
    assertEquals(Boolean.TRUE, r.recovered());
    assertEquals(List.of("{\"seq\":4,\"text\":\"m\"}", "{\"seq\":5,\"text\":\"m\"}"), r.messages());
  }

  @Test
  void leaveProcessorAnswersTheEdgeNameAndCount() {
    Map.Entry<String, RoomState> e = entry(null);
    joinOp("alice", "n1", true).process(e);
    joinOp("bob", "n1", true).process(e);
    RoomReply r = new RoomOps.Leave("alice", "n1", 1).process(e);
    assertTrue(r.edge());
    assertEquals("ALICE", r.name());
    assertEquals(1, r.count());
  }

  @Test
  void leaveProcessorOnAnAbsentRoomLeavesItAbsent() {
    Map.Entry<String, RoomState> e = entry(null);
    RoomReply r = new RoomOps.Leave("alice", "n1", 1).process(e);
    assertFalse(r.edge());
    assertNull(e.getValue());
  }

  @Test
  void purgeProcessorDropsADeadNodesLeaveStampEvenWithoutItsMembers() {
    Map.Entry<String, RoomState> e = entry(null);
    joinOp("alice", "n1", true).process(e);
    joinOp("bob", "n2", true).process(e);
    new RoomOps.Leave("bob", "n2", 7).process(e);
    assertTrue(e.getValue().changedSince("n2", "bob", 6));
    boolean[] written = {false};
    Map.Entry<String, RoomState> recorded = new AbstractMap.SimpleEntry<>("lobby", e.getValue()) {
      @Override
      public RoomState setValue(RoomState value) {
        written[0] = true;
        return super.setValue(value);
      }
    };
    assertNull(new RoomOps.Purge("n2").process(recorded), "no member of n2 left: nothing to announce");
    assertFalse(recorded.getValue().changedSince("n2", "bob", 6), "but its stamp is gone with it");
    assertTrue(written[0], "and written back: in Hazelcast's binary format only that keeps the change");
  }

  @Test
  void purgeProcessorAnswersNullWhenTheNodeHasNoConnectionThere() {
    Map.Entry<String, RoomState> e = entry(null);
    joinOp("alice", "n1", true).process(e);
    assertNull(new RoomOps.Purge("n2").process(e));
    assertNull(new RoomOps.Purge("n2").process(entry(null)));
  }

  @Test
  void purgeProcessorAnswersWhoLeft() {
    Map.Entry<String, RoomState> e = entry(null);
    joinOp("alice", "dead", true).process(e);
    joinOp("bob", "live", true).process(e);
    RoomReply r = new RoomOps.Purge("dead").process(e);
    assertEquals(List.of(new Member("alice", "ALICE")), r.members());
    assertEquals(1, r.count());
    assertEquals(List.of("live"), r.nodes());
  }

  @Test
  void readProcessorReadsHistoryWithoutChangingTheRoom() {
    Map.Entry<String, RoomState> e = entry(null);
    for (int i = 0; i < 5; i++) {
      append("m").process(e);
    }
    String before = describe(e.getValue());
    RoomReply r = RoomReads.Read.history(-1, -1, 2).process(e);
    assertEquals(2, r.messages().size());
    assertTrue(r.more());
    assertEquals(5, r.seq());
    assertEquals(before, describe(e.getValue()));
  }

  @Test
  void readProcessorOnAnAbsentRoomIsEmpty() {
    RoomReply r = RoomReads.Read.history(-1, -1, 50).process(entry(null));
    assertEquals(List.of(), r.messages());
    assertFalse(r.more());
    assertEquals(0, r.seq());
    assertEquals(List.of(), RoomReads.Read.members().process(entry(null)).members());
  }

  @Test
  void readProcessorListsMembers() {
    Map.Entry<String, RoomState> e = entry(null);
    joinOp("bob", "n1", true).process(e);
    joinOp("alice", "n2", true).process(e);
    RoomReply r = RoomReads.Read.members().process(e);
    assertEquals(List.of(new Member("alice", "ALICE"), new Member("bob", "BOB")), r.members());
    assertEquals(2, r.count());
  }

  @Test
  void readProcessorHasNoBackup() {
    assertNull(RoomReads.Read.members().getBackupProcessor());
  }

  /**
   * The fan-out targets ({@code nodes()}) and {@code hasNode} are kept as an index beside the
   * members: after any sequence of joins, leaves, purges, reconciliations and serializations they
   * must say what the members say.
   */
  @Test
  void theNodeIndexAgreesWithTheMembersAfterAnySequenceOfChanges() {
    java.util.Random random = new java.util.Random(42);
    String[] users = {"a", "b", "c", "d", "e"};
    String[] nodeIds = {"n1", "n2", "n3"};
    RoomState s = room();
    Map<String, Map<String, Integer>> model = new java.util.HashMap<>();
    for (int step = 0; step < 5_000; step++) {
      String user = users[random.nextInt(users.length)];
      String node = nodeIds[random.nextInt(nodeIds.length)];
      switch (random.nextInt(6)) {
        case 0, 1 -> {
          s.join(user, user, node);
          model.computeIfAbsent(user, u -> new java.util.HashMap<>()).merge(node, 1, Integer::sum);
        }
        case 2, 3 -> {
          s.leave(user, node);
          Map<String, Integer> on = model.get(user);
          if (on != null && on.containsKey(node)) {
            if (on.merge(node, -1, Integer::sum) == 0) {
              on.remove(node);
            }
            if (on.isEmpty()) {
              model.remove(user);
            }
          }
        }
        case 4 -> {
          s.purge(node);
          model.values().forEach(on -> on.remove(node));
          model.values().removeIf(Map::isEmpty);
        }
        default -> {
          Map<String, io.switchboard.presence.LocalPresence.Joined> truth = new java.util.HashMap<>();
          for (String u : users) {
            if (random.nextBoolean()) {
              truth.put(u, new io.switchboard.presence.LocalPresence.Joined(u, 1 + random.nextInt(3)));
            }
          }
          List<String> known = List.of(users);
          s.reconcile(node, truth, known, 0, Set.of(), new ArrayList<>(), new ArrayList<>());
          for (String u : users) {
            if (truth.containsKey(u)) {
              model.computeIfAbsent(u, x -> new java.util.HashMap<>()).put(node, truth.get(u).count());
            } else if (model.containsKey(u)) {
              model.get(u).remove(node);
              if (model.get(u).isEmpty()) {
                model.remove(u);
              }
            }
          }
        }
      }
      if (random.nextInt(50) == 0) {
        s = roundTrip(s);
      }
      Set<String> expected = new TreeSet<>();
      model.values().forEach(on -> expected.addAll(on.keySet()));
      assertEquals(expected, nodes(s), "after step " + step);
      for (String n : nodeIds) {
        assertEquals(expected.contains(n), s.hasNode(n), n + " after step " + step);
      }
      assertEquals(model.size(), s.memberCount(), "after step " + step);
    }
  }

  /**
   * A join or members request lists only the first members that fit its byte budget, built on
   * the partition, while {@code count} counts them all; the budget travels with the operation.
   */
  @Test
  void aMembersBudgetListsTheFirstMembersThatFitAndTheCountCountsAll() {
    RoomState s = room();
    for (String u : List.of("carol", "alice", "bob")) {
      s.join(u, u, "n1");
    }
    long two = new Member("alice", "alice").jsonBytes() + new Member("bob", "bob").jsonBytes();
    assertEquals(List.of("alice", "bob"), s.memberList(two).stream().map(Member::user).toList());
    assertEquals(List.of("alice"), s.memberList(two - 1).stream().map(Member::user).toList());
    assertEquals(3, s.memberList(0).size());

    RoomJoin join = roundTrip(new RoomJoin("e-new", 100, "dave", "Dave", "n1", true, -1, null, 50, 500, 0, two));
    RoomReply joined = join.process(entry(s));
    assertEquals(List.of("alice", "bob"), joined.members().stream().map(Member::user).toList());
    assertEquals(4, joined.count());

    RoomReply listed = roundTrip(RoomReads.Read.members(two)).process(entry(s));
    assertEquals(List.of("alice", "bob"), listed.members().stream().map(Member::user).toList());
    assertEquals(4, listed.count());
    assertEquals(4, RoomReads.Read.members().process(entry(s)).members().size(), "no budget: every member");
  }

  /** The messages' byte budget travels with a join and a history read, as the members' does. */
  @Test
  void aMessagesBudgetTravelsWithTheOperation() {
    RoomState s = room();
    for (int i = 0; i < 5; i++) {
      append("m" + i).process(entry(s));
    }
    long one = s.log().slice(5, 5).get(0).length();
    RoomReply page = roundTrip(RoomReads.Read.history(-1, -1, 50, 2 * one)).process(entry(s));
    assertEquals(2, page.messages().size());
    RoomReply joined = roundTrip(new RoomJoin("e-new", 100, "eve", "Eve", "n1", true, -1, null, 50, 500, 2 * one, 0))
        .process(entry(s));
    assertEquals(2, joined.messages().size());
  }

  /**
   * Hazelcast runs an operation again on the partition's new owner when the old one died before
   * answering, though it may have stored the message (and its backup, the new owner, with it).
   * The append's id finds the stored messages: the retry answers the same seqs, stores nothing.
   */
  @Test
  void aRetriedAppendAnswersTheSameSeqsAndStoresNothingTwice() {
    RoomState s = room();
    RoomAppend once = new RoomAppend("e-new", 100, new String[] {"{\"seq\":"}, new String[] {",\"text\":\"a\"}"}, 77);
    assertEquals(1, once.process(entry(s)).seq());
    RoomReply again = roundTrip(once).process(entry(s));
    assertEquals(1, again.firstSeq());
    assertEquals(1, again.seq());
    assertEquals(1, s.log().lastSeq(), "stored once");

    RoomAppend batch = new RoomAppend("e-new", 100, new String[] {"{\"seq\":", "{\"seq\":", "{\"seq\":"},
        new String[] {",\"text\":\"b\"}", ",\"text\":\"c\"}", ",\"text\":\"d\"}"}, 78);
    batch.process(entry(s));
    RoomState copy = roundTrip(s); // the backup's copy, as the partition's new owner has it
    RoomReply retried = batch.process(entry(copy));
    assertEquals(2, retried.firstSeq());
    assertEquals(4, retried.seq());
    assertEquals(4, copy.log().lastSeq(), "the batch stored once");
    assertEquals(1, once.process(entry(copy)).firstSeq(), "an older append is still found");
    assertEquals(5, append("e").process(entry(copy)).seq(), "appends without an id go on as before");
  }

  /**
   * A confirming run (its backup did not acknowledge the first in time, see RoomStore.withBackup)
   * finds the messages on the owner and, as any run that finds them, sends its backup a replay:
   * a copy that lacks them stores them at the owner's seqs; one that has them, or is behind by
   * more, stores nothing (Hazelcast's replica sync brings that one level with the owner).
   */
  @Test
  void aConfirmingRunHasItsBackupStoreWhatTheOwnerFoundOnlyWhereTheCopyEndsJustBefore() {
    RoomState owner = room();
    append("a").process(entry(owner));
    RoomState lacking = roundTrip(owner); // the backup's copy, before the append below reached it
    RoomState behind = roundTrip(room()); // a copy that missed "a" too
    RoomAppend first = new RoomAppend("e-new", 100, 1 << 20, new String[] {"{\"seq\":"},
        new String[] {",\"text\":\"b\"}"}, 91);
    first.again = false; // as RoomStore sends a first run under a random id: it looks for nothing
    first.process(entry(owner));
    assertNotNull(first.getBackupProcessor(), "the first run's own replay");
    RoomAppend again = roundTrip(first.confirming());
    RoomReply found = again.process(entry(owner));
    assertEquals(2, found.firstSeq());
    assertEquals(2, owner.log().lastSeq(), "found, not stored twice");
    assertTrue(found.found());
    RoomAppend plain = roundTrip(first); // the same key sent again: its ack must wait for the backup too
    plain.again = true; // RoomStore marks a keyed message so
    assertTrue(plain.process(entry(owner)).found());
    RoomAppend plainReplay = roundTrip(plain.getBackupProcessor());
    assertThrows(RoomAppend.CopyBehind.class, () -> plainReplay.process(entry(behind)),
        "a retry that finds its messages replays them: a backup that lacks them does not acknowledge it");

    RoomAppend replay = roundTrip(again.getBackupProcessor());
    replay.process(entry(lacking));
    assertEquals(owner.log().all(), lacking.log().all(), "stored at the owner's seq");
    roundTrip(again.getBackupProcessor()).process(entry(lacking));
    assertEquals(owner.log().all(), lacking.log().all(), "a copy that has them stores nothing");
    RoomAppend late = roundTrip(again.getBackupProcessor());
    assertThrows(RoomAppend.CopyBehind.class, () -> late.process(entry(behind)),
        "a copy behind by more does not acknowledge what it lacks");
    assertEquals(0, behind.log().lastSeq(), "and stores nothing out of place");
  }

  /**
   * A backup that missed an append (its backup operation was lost) is behind its owner. The next
   * append's replay must not store its message at the copy's own next seq, which the owner gave
   * the lost one, nor acknowledge it: both the message and the seq would be wrong once the owner
   * died. It throws instead (no acknowledgment; Hazelcast's replica sync brings the copy level),
   * and once level the copy takes the replays again.
   */
  @Test
  void aReplayOnACopyThatMissedAnAppendIsNotStoredAtAnotherSeqNorAcknowledged() {
    RoomState owner = room();
    append("a").process(entry(owner));
    RoomState backup = roundTrip(owner);
    RoomAppend lost = new RoomAppend("e-new", 100, 1 << 20, new String[] {"{\"seq\":"},
        new String[] {",\"text\":\"b\"}"}, 5);
    lost.process(entry(owner)); // its replay never reaches the backup
    RoomAppend next = new RoomAppend("e-new", 100, 1 << 20, new String[] {"{\"seq\":"},
        new String[] {",\"text\":\"c\"}"}, 6);
    assertEquals(3, next.process(entry(owner)).seq());

    RoomAppend replay = roundTrip(next.getBackupProcessor());
    RoomAppend.CopyBehind refused = assertThrows(RoomAppend.CopyBehind.class, () -> replay.process(entry(backup)));
    assertTrue(refused.getMessage().contains("seq 3"), refused.getMessage());
    assertEquals(List.of("{\"seq\":1,\"text\":\"a\"}"), backup.log().all(), "c is not stored as seq 2");

    RoomState synced = roundTrip(owner); // what replica sync copies to the backup
    RoomAppend more = new RoomAppend("e-new", 100, 1 << 20, new String[] {"{\"seq\":"},
        new String[] {",\"text\":\"d\"}"}, 7);
    more.process(entry(owner));
    roundTrip(more.getBackupProcessor()).process(entry(synced));
    assertEquals(owner.log().all(), synced.log().all());
    assertEquals(describe(owner), describe(synced));
  }

  /** A replay onto a copy of another log (the room began again on the owner) stores nothing there either. */
  @Test
  void aReplayOntoACopyOfAnotherEpochIsRefused() {
    RoomState owner = room();
    RoomState other = new RoomState("e-other", 100);
    RoomAppend op = new RoomAppend("e-new", 100, 1 << 20, new String[] {"{\"seq\":"},
        new String[] {",\"text\":\"a\"}"}, 8);
    op.process(entry(owner));
    RoomAppend replay = roundTrip(op.getBackupProcessor());
    assertThrows(RoomAppend.CopyBehind.class, () -> replay.process(entry(other)));
    assertEquals(0, other.log().lastSeq());
    Map.Entry<String, RoomState> made = entry(null);
    RoomAppend first = new RoomAppend("e-new", 100, 1 << 20, new String[] {"{\"seq\":"},
        new String[] {",\"text\":\"a\"}"}, 9);
    first.process(made);
    Map.Entry<String, RoomState> none = entry(null);
    roundTrip(first.getBackupProcessor()).process(none);
    assertEquals(describe(made.getValue()), describe(none.getValue()), "the append that made the room makes it on its backup");
    Map.Entry<String, RoomState> lacking = entry(null);
    assertThrows(RoomAppend.CopyBehind.class, () -> roundTrip(op.getBackupProcessor()).process(lacking),
        "a backup that lacks a room its owner had made before does not make another");
    assertNull(lacking.getValue());
  }

  /**
   * A batch larger than the room keeps lets go of its own first messages. The id is on its last
   * message, which stays: a retry (Hazelcast's, on the new owner) still finds the batch, and
   * answers its seqs without frames (the caller has them as sent).
   */
  @Test
  void aBatchLargerThanTheRoomKeepsIsFoundByItsRetry() {
    RoomState s = room();
    String[] prefixes = {"{\"seq\":", "{\"seq\":", "{\"seq\":"};
    String[] suffixes = {",\"text\":\"a\"}", ",\"text\":\"b\"}", ",\"text\":\"c\"}"};
    RoomAppend batch = new RoomAppend("e-new", 2, 1 << 20, prefixes, suffixes, 99);
    assertEquals(3, batch.process(entry(s)).seq());
    RoomReply again = roundTrip(batch).process(entry(roundTrip(s)));
    assertEquals(1, again.firstSeq());
    assertEquals(3, again.seq());
    assertEquals(List.of(), again.messages(), "two of three kept: no frame is paired with the wrong message");

    RoomState bytes = room(); // the same when the byte cap lets go of them
    RoomAppend big = new RoomAppend("e-new", 100, 40, prefixes, suffixes, 98);
    big.process(entry(bytes));
    assertEquals(3, roundTrip(big).process(entry(bytes)).seq());
    assertEquals(3, bytes.log().lastSeq(), "stored once");
  }

  /**
   * A confirming run (or Hazelcast's re-run on a new owner) comes within its append's window,
   * but a busy room may have written history.size messages meanwhile: its own message is no
   * longer retained. It is found all the same, on the owner and on the backup's copy (which
   * the entry's serialization carries it to), and not stored again under a new seq.
   */
  @Test
  void anAppendRunAgainAfterTheRoomLetItsMessageGoWithinItsWindowIsNotStoredTwice() {
    RoomState owner = new RoomState("e-1", 3);
    RoomState backup = roundTrip(owner);
    RoomAppend first = new RoomAppend("e-new", 3, 1 << 20, new String[] {"{\"seq\":"},
        new String[] {",\"text\":\"mine\"}"}, 500).before(10_000);
    first.process(entry(owner));
    roundTrip(first.getBackupProcessor()).process(entry(backup));
    for (int i = 0; i < 5; i++) {
      RoomAppend busy = new RoomAppend("e-new", 3, 1 << 20, new String[] {"{\"seq\":"},
          new String[] {",\"text\":\"other\"}"}, 600 + i).before(10_100 + i);
      busy.process(entry(owner));
      roundTrip(busy.getBackupProcessor()).process(entry(backup));
    }
    assertEquals(List.of(4L, 6L), List.of(owner.log().firstSeq(), owner.log().lastSeq()), "seq 1 let go of");

    RoomAppend again = roundTrip(first.confirming());
    again.setHazelcastInstance(memberAt(9_000));
    RoomReply found = again.process(entry(owner));
    assertEquals(1, found.seq(), "found, not stored as seq 7");
    assertEquals(6, owner.log().lastSeq());
    assertEquals(List.of(), found.messages(), "its frame is gone: none is told as stored");
    roundTrip(again.getBackupProcessor()).process(entry(backup)); // the copy has it: acknowledged, not stored
    assertEquals(describe(owner), describe(backup));

    RoomState promoted = roundTrip(backup); // the partition's new owner, as migration copies it
    RoomAppend rerun = roundTrip(first);
    rerun.setHazelcastInstance(memberAt(9_500));
    assertEquals(1, rerun.process(entry(promoted)).seq());
    assertEquals(6, promoted.log().lastSeq(), "found on the copy too");
  }

  /** The byte cap travels with each append, so the backup keeps the same messages as the owner. */
  @Test
  void anAppendKeepsTheRoomWithinItsByteCap() {
    RoomState s = room();
    for (int i = 0; i < 10; i++) {
      RoomAppend op = new RoomAppend("e-new", 100, 64 * 1024, new String[] {"{\"seq\":"},
          new String[] {",\"text\":\"" + "w".repeat(20_000) + "\"}"}, i + 1);
      roundTrip(op).process(entry(s));
    }
    assertEquals(10, s.log().lastSeq());
    assertEquals(3, s.log().size(), "three messages of 20 KB fit in 64 KiB");
  }

  // ---- retention (history.retention)

  private static final long STORED_AT = java.time.Instant.parse("2026-12-04T12:00:00.000Z").toEpochMilli();

  /** A room with one message stored at STORED_AT whose data carries a later "ts" of its own. */
  private static Map.Entry<String, RoomState> written() {
    Map.Entry<String, RoomState> e = entry(null);
    io.switchboard.protocol.FrameEncoder.MessageTemplate m = io.switchboard.protocol.FrameEncoder.message("lobby",
        "ann", "Ann", null, "hi", new io.vertx.core.json.JsonObject().put("ts", "2030-01-01T00:00:00.000Z"),
        false, "2026-12-04T12:00:00.000Z");
    new RoomAppend("e-new", 100, m.prefix(), m.suffix()).process(e);
    return e;
  }

  @Test
  void aRoomsNewestTimeIsItsNewestMessagesTsNotOneInItsData() {
    Map.Entry<String, RoomState> e = written();
    assertEquals(STORED_AT, e.getValue().newestTime());
    assertEquals(STORED_AT, roundTrip(e.getValue()).newestTime(), "read from the stored frame: it travels with it");
    assertEquals(-1, room().newestTime(), "no message");
    RoomState unreadable = room();
    unreadable.log().append("{\"type\":\"message\",\"seq\":1,\"ts\":\"yesterday\"}", 100);
    assertEquals(-1, unreadable.newestTime());
  }

  @Test
  void expiryRemovesARoomNobodyIsInOnlyOnceItsNewestMessageIsOlderThanTheCutoff() {
    Map.Entry<String, RoomState> e = written();
    assertNull(roundTrip(new IdleOps.Expire(STORED_AT, Long.MAX_VALUE)).process(e), "stored at the cutoff: kept");
    assertNotNull(e.getValue());
    assertEquals(Boolean.TRUE, roundTrip(new IdleOps.Expire(STORED_AT + 1, Long.MAX_VALUE)).process(e));
    assertNull(e.getValue(), "removed, seq and epoch with it");
  }

  @Test
  void expiryKeepsARoomWithAMemberAndTakesAnEmptyOneNeverWrittenInOnceItsStampsAreGone() {
    Map.Entry<String, RoomState> e = written();
    joinOp("bob", "n1", true).process(e);
    assertNull(new IdleOps.Expire(Long.MAX_VALUE, Long.MAX_VALUE).process(e));
    assertEquals(1, e.getValue().memberCount(), "a member, however quiet, keeps the room");

    Map.Entry<String, RoomState> unwritten = entry(null);
    joinOp("bob", "n1", true).process(unwritten);
    unwritten.getValue().leave("bob", "n1");
    assertEquals(Boolean.FALSE, new IdleOps.Expire(Long.MAX_VALUE, Long.MAX_VALUE).process(unwritten), "the join's stamp is still in it");
    unwritten.getValue().forgetStamps("n1", Long.MAX_VALUE);
    assertEquals(Boolean.TRUE, new IdleOps.Expire(Long.MIN_VALUE, Long.MAX_VALUE).process(unwritten), "never written: no age to wait for");
    assertNull(unwritten.getValue());
  }

  /** As for DropUnused: the leave's stamp must stay until the node's round has seen it. */
  @Test
  void expiryWaitsForANodesStampsAndAnUnreadableTimeCountsAsOld() {
    Map.Entry<String, RoomState> e = written();
    joinOp("bob", "n1", true).process(e);
    new RoomOps.Leave("bob", "n1", 7).process(e);
    assertEquals(Boolean.FALSE, new IdleOps.Expire(STORED_AT + 1, Long.MAX_VALUE).process(e));
    assertNotNull(e.getValue());
    e.getValue().forgetStamps("n1", 8);
    assertEquals(Boolean.TRUE, new IdleOps.Expire(STORED_AT + 1, Long.MAX_VALUE).process(e));

    Map.Entry<String, RoomState> unreadable = entry(room());
    unreadable.getValue().log().append("{\"type\":\"message\",\"seq\":1}", 100);
    assertEquals(Boolean.TRUE, new IdleOps.Expire(0, Long.MAX_VALUE).process(unreadable), "nothing tells its age: not kept for ever");
  }

  /**
   * A room is idle only once nobody has been in it for the grace: a purge (a node's death) that
   * took its last member out counts from then, and the time travels with the room to its backup.
   */
  @Test
  void expiryWaitsForTheGraceAfterTheLastMemberWent() {
    Map.Entry<String, RoomState> e = written();
    assertEquals(0, e.getValue().emptiedAt(), "nobody was ever in it");
    joinOp("bob", "n1", true).process(e);
    long before = System.currentTimeMillis();
    e.getValue().purge("n1");
    long emptied = e.getValue().emptiedAt();
    assertTrue(emptied >= before, "emptied by the purge: " + emptied);
    assertEquals(emptied, roundTrip(e.getValue()).emptiedAt(), "copied with the room");
    e.getValue().forgetStamps("n1", Long.MAX_VALUE);
    assertNull(roundTrip(new IdleOps.Expire(STORED_AT + 1, emptied - 1)).process(e), "left after the cutoff: kept");
    assertNotNull(e.getValue());
    assertEquals(Boolean.TRUE, new IdleOps.Expire(STORED_AT + 1, emptied).process(e));
  }
}
