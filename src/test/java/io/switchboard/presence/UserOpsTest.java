package io.switchboard.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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

  /**
   * A change that found itself applied, or was refused, has no backup: the backup may be a copy
   * made by migration that keeps each node's latest stamp only, where an older re-run counts again.
   */
  @Test
  void onlyAChangeThatChangedSomethingIsReplayedOnTheBackup() {
    Map.Entry<String, UserConnections> alice = entry();
    UserOps.Connect connect = new UserOps.Connect("n1", 2, 10);
    connect.process(alice);
    assertNotNull(connect.getBackupProcessor(), "counted: the backup counts it too");
    connect.process(alice);
    assertNull(connect.getBackupProcessor(), "a re-run");
    new UserOps.Connect("n1", 2, 11).process(alice);
    UserOps.Connect over = new UserOps.Connect("n1", 2, 12);
    assertEquals(-1, over.process(alice));
    assertNull(over.getBackupProcessor(), "refused");
    UserOps.Disconnect close = new UserOps.Disconnect("n1", false, 13);
    close.process(alice);
    assertNotNull(close.getBackupProcessor());
    close.process(alice);
    assertNull(close.getBackupProcessor(), "a re-run");
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

  /**
   * A split brain healed: each side purged the other's nodes and counted its own. The merged
   * entry counts both sides' connections (Hazelcast's default kept one side's entry, and the
   * user could open as many more past the limit as the other side held), and keeps the later
   * stamp of each node.
   */
  @Test
  void aSplitBrainsTwoSidesCountEveryNodesConnections() {
    Map.Entry<String, UserConnections> big = entry();
    new UserOps.Connect("a", 10, 5).process(big);
    new UserOps.Connect("b", 10, 6).process(big);
    Map.Entry<String, UserConnections> small = entry();
    new UserOps.Connect("x", 10, 7).process(small);
    new UserOps.Connect("x", 10, 8).process(small);
    new UserOps.Connect("a", 10, 9).process(small); // a stale count of a node of the other side: ours stands
    var policy = new UsersMerge();
    UserConnections merged = (UserConnections) policy.merge(value(small.getValue()), value(big.getValue()));
    assertEquals(Map.of("a", 1, "b", 1, "x", 2), merged.perNode());
    org.junit.jupiter.api.Assertions.assertTrue(merged.changedSince("a", 8), "a's later stamp");
    assertEquals(-1, new UserOps.Connect("b", 4, 10).process(new AbstractMap.SimpleEntry<>("alice", merged)),
        "at the limit across both sides");
    assertEquals(big.getValue(), policy.merge(null, value(big.getValue())));
    assertEquals(small.getValue(), policy.merge(value(small.getValue()), null));
  }

  @SuppressWarnings("unchecked")
  private static com.hazelcast.spi.merge.MergingValue<UserConnections> value(UserConnections connections) {
    return (com.hazelcast.spi.merge.MergingValue<UserConnections>) java.lang.reflect.Proxy.newProxyInstance(
        UserOpsTest.class.getClassLoader(), new Class<?>[] {com.hazelcast.spi.merge.MergingValue.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getDeserializedValue", "getRawValue", "getValue" -> connections;
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
