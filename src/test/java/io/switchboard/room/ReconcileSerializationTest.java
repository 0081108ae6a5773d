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
    RoomReconcile op = new RoomReconcile("n-a",
        Map.of("lobby", Map.of("alice", new LocalPresence.Joined("Alice", 2))),
        Map.of("lobby", List.of("ghost")), Set.of("busy-room"));
    RoomReconcile copy = serialization.toObject(serialization.toData(op));

    RoomReply reply = copy.process(new AbstractMap.SimpleEntry<>("lobby", room));
    assertEquals(List.of("alice"), reply.members().stream().map(m -> m.user()).toList(), "alice joins");
    assertEquals(List.of("ghost"), reply.left().stream().map(m -> m.user()).toList(), "the ghost leaves");
    assertEquals(List.of("alice", "bob"), room.memberList().stream().map(m -> m.user()).toList());
    assertEquals(null, copy.process(new AbstractMap.SimpleEntry<>("busy-room", new RoomState("e-2", 10))),
        "a busy room is left alone");

    RoomReply again = serialization.toObject(serialization.toData(reply));
    assertEquals(reply.left(), again.left());
    assertEquals(reply.members(), again.members());
  }
}
