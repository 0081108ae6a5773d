package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A user's entry keeps the {@link Peers#MAX} peers noted last, and each node notes a pair once
 * per window. A bot that wrote to more users than that within the window had the first ones
 * pushed out of its entry; a reply from one of them, taken by the node that had noted the pair,
 * was not noted again, and the bot's list of conversations lacked exactly the newest one.
 */
class ConversationIndexTest {

  @Test
  void aReplyToAUserWhoseEntryIsFullIsNotedAgain() {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      var node = cluster.node(0);
      ConversationIndex index = new ConversationIndex(node.vertx(), node.hazelcast());
      for (int i = 0; i <= Peers.MAX; i++) {
        Await.of(index.note("billing", "u" + i));
      }
      assertEquals(Peers.MAX, Await.of(index.recent("billing", Peers.MAX)).size());
      Await.of(node.vertx().timer(5)); // the reply's note comes later than every other one
      Await.of(index.note("u0", "billing")); // u0 answers, within the window of the first note
      assertEquals(List.of("u0"), Await.of(index.recent("billing", 1)), "the reply's conversation is listed first");
    }
  }
}
