package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.internal.serialization.Data;
import com.hazelcast.internal.serialization.InternalSerializationService;
import com.hazelcast.internal.serialization.impl.DefaultSerializationServiceBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A user's conversation index entry: most recent first, bounded, and the same after serialization. */
class PeersTest {

  @Test
  void peersComeMostRecentlyNotedFirstAndALaterNoteMovesOneUp() {
    Peers peers = new Peers();
    peers.note("bob", 100);
    peers.note("cat", 200);
    peers.note("dan", 150);
    assertEquals(List.of("cat", "dan", "bob"), peers.recent(10));
    peers.note("bob", 300);
    assertEquals(List.of("bob", "cat"), peers.recent(2));
    peers.note("bob", 50); // a note that comes late does not move it back
    assertEquals(List.of("bob", "cat", "dan"), peers.recent(10));
    assertEquals(3, peers.size(), "one entry per peer");
    peers.note("ann", 300);
    assertEquals(List.of("ann", "bob", "cat", "dan"), peers.recent(10), "ties by user id");
  }

  @Test
  void pastTheBoundTheConversationQuietLongestIsForgotten() {
    Peers peers = new Peers();
    for (int i = 0; i < Peers.MAX; i++) {
      peers.note("u" + i, 1_000 + i);
    }
    peers.note("u0", 5_000); // the oldest is busy again: u1 is now the quietest
    peers.note("new", 6_000);
    assertEquals(Peers.MAX, peers.size());
    assertFalse(peers.users().contains("u1"));
    assertTrue(peers.users().contains("u0"));
    assertEquals(List.of("new", "u0", "u" + (Peers.MAX - 1)), peers.recent(3));
    peers.note("ancient", 1); // older than every one it keeps (a merged side's): not kept
    assertFalse(peers.users().contains("ancient"));
    assertTrue(peers.users().contains("u2"));
  }

  @Test
  void aSplitBrainsTwoSidesKeepEveryPeerAtItsLaterNote() {
    Peers big = new Peers();
    big.note("bob", 100);
    big.note("cat", 200);
    Peers small = new Peers();
    small.note("cat", 50);
    small.note("dan", 300);
    Peers merged = Peers.union(big, small);
    assertEquals(List.of("dan", "cat", "bob"), merged.recent(10));
    var policy = new PeersMerge();
    assertEquals(List.of("dan", "cat", "bob"), ((Peers) policy.merge(value(small), value(big))).recent(10));
    assertEquals(big, policy.merge(null, value(big)));
    assertEquals(small, policy.merge(value(small), null));
  }

  @SuppressWarnings("unchecked")
  private static com.hazelcast.spi.merge.MergingValue<Peers> value(Peers peers) {
    return (com.hazelcast.spi.merge.MergingValue<Peers>) java.lang.reflect.Proxy.newProxyInstance(PeersTest.class.getClassLoader(),
        new Class<?>[] {com.hazelcast.spi.merge.MergingValue.class}, (proxy, method, args) -> switch (method.getName()) {
          case "getDeserializedValue", "getRawValue", "getValue" -> peers;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void theNoteAndTheEntrySurviveSerialization() {
    InternalSerializationService ss = new DefaultSerializationServiceBuilder().build();
    Peers peers = new Peers();
    for (int i = 0; i < 9; i++) {
      peers.note("p" + i, i);
    }
    Data data = ss.toData(peers);
    Peers copy = ss.toObject(data);
    assertEquals(peers.recent(20), copy.recent(20));
    copy.note("p10", 99);
    assertEquals("p10", copy.recent(1).get(0), "the copy grows past its read size");

    PeerOps.Note note = ss.toObject(ss.toData(new PeerOps.Note("zed", 42)));
    var entry = new java.util.AbstractMap.SimpleEntry<String, Peers>("amy", null);
    assertTrue(note.process(entry));
    assertEquals(List.of("zed"), entry.getValue().recent(5));
    PeerOps.Recent recent = ss.toObject(ss.toData(new PeerOps.Recent(1)));
    assertEquals(List.of("zed"), recent.process(Map.entry("amy", entry.getValue())));
  }
}
