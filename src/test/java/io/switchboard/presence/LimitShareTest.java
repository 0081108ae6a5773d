package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A user over the limit loses exactly the excess, split over the nodes, whoever computes it. */
class LimitShareTest {

  @Test
  void theNodesTogetherCloseTheExcessAndNoMore() {
    Map<String, Integer> sixAndSix = Map.of("n-b", 6, "n-a", 6);
    assertEquals(2, PresenceReconciler.share(sixAndSix, 10, "n-a"));
    assertEquals(0, PresenceReconciler.share(sixAndSix, 10, "n-b"));

    Map<String, Integer> three = Map.of("n-a", 1, "n-b", 5, "n-c", 4);
    assertEquals(1, PresenceReconciler.share(three, 3, "n-a"), "a node closes no more than it has");
    assertEquals(5, PresenceReconciler.share(three, 3, "n-b"));
    assertEquals(1, PresenceReconciler.share(three, 3, "n-c"));
  }

  @Test
  void withinTheLimitNobodyCloses() {
    Map<String, Integer> counts = Map.of("n-a", 6, "n-b", 4);
    for (String node : counts.keySet()) {
      assertEquals(0, PresenceReconciler.share(counts, 10, node));
      assertEquals(0, PresenceReconciler.share(counts, 11, node));
    }
    assertEquals(0, PresenceReconciler.share(Map.of(), 1, "n-a"));
    assertEquals(0, PresenceReconciler.share(Map.of("n-b", 3), 1, "n-a"), "a node without connections of the user");
  }

  /**
   * Another node's count may still be off when this node's round reads it (a disconnect that
   * node lost, put right by its own round): one round over the limit closes nothing, two do.
   */
  @Test
  void onlyAUserOverTheLimitInTwoRoundsInARowIsClosed() {
    assertEquals(Map.of(), PresenceReconciler.confirmed(Map.of("carol", 1), Map.of()));
    assertEquals(Map.of("carol", 2), PresenceReconciler.confirmed(Map.of("carol", 2, "dave", 1), Map.of("carol", 1)),
        "this round's share, for users over the limit in both");
    assertEquals(Map.of(), PresenceReconciler.confirmed(Map.of(), Map.of("carol", 1)));
  }
}
