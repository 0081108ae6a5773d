package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.internal.serialization.SerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import io.switchboard.presence.LocalPresence;
import java.util.AbstractMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reconciliation operation as another member (or a backup) receives it: after serialization. */
class ReconcileSerializationTest {

  private final SerializationService serialization = new DefaultSerializationServiceBuilder().build();

  @Test
  void aSerializedReconcileDoesWhatTheOriginalDoes() {
    RoomState room = new RoomState("e-1", 10);
    room.join("ghost", "Ghost", "n-a");
    room.join("bob", "Bob", "n-b");
    room.join("carol", "Carol", "n-a"); // busy on n-a: her leave may be on its way
    RoomReconcile op = new RoomReconcile("n-a",
        Map.of("lobby", Map.of("alice", new LocalPresence.Joined("Alice", 2))),
        Map.of("lobby", List.of("ghost", "carol")), Set.of("busy-room"), Map.of("lobby", Set.of("carol")), 5, "e-new", 10);
    RoomReconcile copy = serialization.toObject(serialization.toData(op));

    RoomReply reply = copy.process(new AbstractMap.SimpleEntry<>("lobby", room));
    assertEquals(List.of("alice"), reply.members().stream().map(m -> m.user()).toList(), "alice joins");
    assertEquals(List.of("ghost"), reply.left().stream().map(m -> m.user()).toList(), "the ghost leaves");
    assertEquals(List.of("alice", "bob", "carol"), room.memberList().stream().map(m -> m.user()).toList(),
        "a busy member is left alone, and the rest of her room is put right");
    assertEquals(null, copy.process(new AbstractMap.SimpleEntry<>("busy-room", new RoomState("e-2", 10))),
        "a busy room is left alone");

    RoomState leftLater = new RoomState("e-3", 10);
    leftLater.join("ghost", "Ghost", "n-a");
    leftLater.changedBy("n-a", "alice", 6); // n-a sent alice's leave after the truth (stamp 5) was taken
    RoomReply later = copy.process(new AbstractMap.SimpleEntry<>("lobby", serialization.toObject(serialization.toData(leftLater))));
    assertEquals(List.of(), later.members(), "a member the node left after its truth was taken is not put back,"
        + " also after serialization");
    assertEquals(List.of("ghost"), later.left().stream().map(m -> m.user()).toList(), "and the rest of the room is put right");
    RoomState leftBefore = new RoomState("e-4", 10);
    leftBefore.changedBy("n-a", "alice", 5);
    leftBefore.changedBy("n-b", "alice", 9); // another node's leaves do not matter to n-a's round
    assertEquals(List.of("alice"), copy.process(new AbstractMap.SimpleEntry<>("lobby", leftBefore)).members().stream()
        .map(m -> m.user()).toList(), "a leave the truth already includes does not hold the round back");

    // a room the cluster has no entry for, while this node's members are in it, comes back with them
    AbstractMap.SimpleEntry<String, RoomState> missing = new AbstractMap.SimpleEntry<>("lobby", null);
    assertEquals(List.of("alice"), copy.process(missing).members().stream().map(m -> m.user()).toList());
    assertEquals("e-new", missing.getValue().epoch());
    assertEquals(null, copy.process(new AbstractMap.SimpleEntry<>("elsewhere", null)), "no members here: no room");

    RoomReply again = serialization.toObject(serialization.toData(reply));
    assertEquals(reply.left(), again.left());
    assertEquals(reply.members(), again.members());
  }
  /**
   * The owner applies a round and dies before answering; its backup replayed it, and Hazelcast
   * runs the same round again there: the joins and leaves it made are told, not lost. A new
   * round finds nothing to tell.
   */
  @Test
  void aRoundRunAgainOnTheFormerBackupAnswersWhatItChanged() {
    RoomState owner = new RoomState("e-1", 10);
    owner.join("ghost", "Ghost", "n-a");
    RoomState backup = serialization.toObject(serialization.toData(owner));
    RoomReconcile round = new RoomReconcile("n-a", Map.of("lobby", Map.of("alice", new LocalPresence.Joined("Alice", 1))),
        Map.of("lobby", List.of("ghost")), Set.of(), Map.of(), 5, "e-new", 10);
    RoomReconcile sent = serialization.toObject(serialization.toData(round));
    RoomReply first = sent.process(new AbstractMap.SimpleEntry<>("lobby", owner));
    RoomReconcile replayed = serialization.toObject(serialization.toData(round));
    replayed.process(new AbstractMap.SimpleEntry<>("lobby", backup));

    RoomReconcile rerun = serialization.toObject(serialization.toData(round));
    RoomReply again = rerun.process(new AbstractMap.SimpleEntry<>("lobby", backup));
    assertEquals(first.members(), again.members(), "alice's join told again");
    assertEquals(first.left(), again.left(), "and the ghost's leave");
    RoomReconcile next = new RoomReconcile("n-a", Map.of("lobby", Map.of("alice", new LocalPresence.Joined("Alice", 1))),
        Map.of("lobby", List.of("alice")), Set.of(), Map.of(), 6, "e-new", 10);
    RoomReply nothing = next.process(new AbstractMap.SimpleEntry<>("lobby", backup));
    assertEquals(true, (nothing.left() == null || nothing.left().isEmpty()) && (nothing.members() == null || nothing.members().isEmpty()),
        "the next round: nothing to tell");
  }

  /** As for a round: a dead node's purge run again on the former backup tells the leaves it made. */
  @Test
  void aPurgeRunAgainOnTheFormerBackupTellsItsLeaves() {
    RoomState owner = new RoomState("e-1", 10);
    owner.join("alice", "Alice", "n-dead");
    owner.join("bob", "Bob", "n-live");
    RoomState backup = serialization.toObject(serialization.toData(owner));
    RoomOps.Purge purge = new RoomOps.Purge("n-dead");
    RoomReply first = ((RoomOps.Purge) serialization.toObject(serialization.toData(purge)))
        .process(new AbstractMap.SimpleEntry<>("lobby", owner));
    assertEquals(List.of("alice"), first.members().stream().map(m -> m.user()).toList());
    ((RoomOps.Purge) serialization.toObject(serialization.toData(purge))).process(new AbstractMap.SimpleEntry<>("lobby", backup));

    RoomReply again = ((RoomOps.Purge) serialization.toObject(serialization.toData(purge)))
        .process(new AbstractMap.SimpleEntry<>("lobby", backup));
    assertEquals(first.members(), again.members(), "alice's leave told again");
    assertEquals(null, new RoomOps.Purge("n-dead").process(new AbstractMap.SimpleEntry<>("lobby", backup)),
        "another purge of the same node (a retry of the clean-up) tells nothing twice");
  }

  /** history.maxRooms reaches the owner and the backup: a full cluster's join and append make no room. */
  @Test
  void aRefusalToMakeARoomSurvivesSerialization() {
    RoomJoin join = new RoomJoin("e-1", 10, "alice", "Alice", "n-a", true, -1, null, 0, 0);
    join.mayCreate = false;
    RoomJoin joinCopy = serialization.toObject(serialization.toData(join));
    AbstractMap.SimpleEntry<String, RoomState> none = new AbstractMap.SimpleEntry<>("new", null);
    RoomReply refused = serialization.toObject(serialization.toData(joinCopy.process(none)));
    assertEquals(true, refused.full());
    assertEquals(null, none.getValue(), "no room made");
    assertEquals(null, joinCopy.getBackupProcessor(), "a refused join: nothing for the backup to replay");
    AbstractMap.SimpleEntry<String, RoomState> existing = new AbstractMap.SimpleEntry<>("old", new RoomState("e-0", 10));
    assertEquals(false, joinCopy.process(existing).full(), "a room that exists is joined");
    assertEquals(joinCopy, joinCopy.getBackupProcessor(), "and the backup replays it");

    RoomAppend append = new RoomAppend("e-1", 10, "{\"seq\":", ",\"text\":\"x\"}");
    append.mayCreate = false;
    RoomAppend appendCopy = serialization.toObject(serialization.toData(append));
    assertEquals(true, appendCopy.process(none).full());
    assertEquals(null, none.getValue());
    assertEquals(null, appendCopy.getBackupProcessor(), "nothing stored: nothing for the backup");
    assertEquals(1L, appendCopy.process(existing).seq(), "stored where the room exists");
  }
}
