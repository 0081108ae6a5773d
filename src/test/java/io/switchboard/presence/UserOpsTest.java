package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.AbstractMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A user's connection count, as the partition's processors change it. Hazelcast re-runs an
 * operation on the partition's new owner when the old owner died before answering, and the new
 * owner, a backup until then, has already applied it: the re-run must count nothing twice.
 */
class UserOpsTest {

  private static Map.Entry<String, UserConnections> entry() {
    return new AbstractMap.SimpleEntry<>("alice", null);
  }

  @Test
  void aConnectRunTwiceCountsOnceAndAnswersAsTheFirstRun() {
    Map.Entry<String, UserConnections> alice = entry();
    UserOps.Connect first = new UserOps.Connect("n1", 2, 10);
    assertEquals(1, first.process(alice));
    UserOps.Connect second = new UserOps.Connect("n1", 2, 11);
    assertEquals(2, second.process(alice));
    assertEquals(2, second.process(alice), "the re-run at the limit is not refused: it was counted");
    assertEquals(2, alice.getValue().total());
    assertEquals(-1, new UserOps.Connect("n1", 2, 12).process(alice), "a new connection over the limit still is");
  }

  @Test
  void aDisconnectRunTwiceUncountsOneConnection() {
    Map.Entry<String, UserConnections> alice = entry();
    new UserOps.Connect("n1", 10, 1).process(alice);
    new UserOps.Connect("n1", 10, 2).process(alice);
    new UserOps.Connect("n1", 10, 3).process(alice);
    UserOps.Disconnect close = new UserOps.Disconnect("n1", false, 4);
    assertEquals(2, close.process(alice));
    assertEquals(2, close.process(alice), "the other two connections stay counted");
    assertEquals(1, new UserOps.Disconnect("n1", false, 5).process(alice));
  }

  /** The owner died with two changes of one node unanswered: both are re-run, the older first or not. */
  @Test
  void twoChangesRunAgainInAnyOrderCountOnce() {
    Map.Entry<String, UserConnections> alice = entry();
    UserOps.Connect first = new UserOps.Connect("n1", 10, 20);
    UserOps.Connect second = new UserOps.Connect("n1", 10, 21);
    first.process(alice);
    second.process(alice);
    assertEquals(2, first.process(alice), "the older one, run again after the newer one");
    assertEquals(2, second.process(alice));
    UserOps.Disconnect close = new UserOps.Disconnect("n1", false, 22);
    assertEquals(1, close.process(alice));
    assertEquals(1, first.process(alice), "still not counted again after a later change");
  }

  @Test
  void anotherNodesChangeInBetweenIsNoReRun() {
    Map.Entry<String, UserConnections> alice = entry();
    new UserOps.Connect("n1", 10, 7).process(alice);
    assertEquals(2, new UserOps.Connect("n2", 10, 7).process(alice), "stamps are compared per node");
  }
}
