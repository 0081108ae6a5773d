package io.switchboard.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.switchboard.ClusterBuild;
import io.switchboard.ClusterSetup;
import io.switchboard.SwitchboardNode;
import io.switchboard.config.ConfigLoader;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * Nodes of different builds misread each other's rooms, so a node joins holding nothing and takes
 * its share of the partitions only where every data member runs its build ({@link ClusterBuild}).
 */
@ExtendWith(VertxExtension.class)
class ClusterBuildTest {

  private TestCluster cluster;

  @AfterEach
  void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aNodeOfAnotherBuildLeavesBeforeItHoldsAnythingAndOneOfTheSameBuildTakesItsShare(Vertx vertx) {
    cluster = TestCluster.start(1, Map.of());
    WsClient alice = WsClient.open(vertx, cluster.port(0), Tokens.user("alice"));
    alice.request(new JsonObject().put("type", "join").put("room", "lobby"));
    assertEquals("ack", alice.publish("lobby", "before").getString("type"));

    HazelcastInstance first = cluster.node(0).hazelcast();
    io.vertx.core.Promise<Boolean> left = io.vertx.core.Promise.promise(); // whether it was still lite
    first.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
      @Override
      public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
      }

      @Override
      public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
        left.tryComplete(event.getMember().isLiteMember());
      }
    });
    Throwable refused = assertThrows(Exception.class, () -> Await.of(cluster.startOfBuild("0123456789abcdef"), 60),
        "a node of another build started in the cluster");
    String why = messages(refused);
    assertTrue(why.contains("another build") && why.contains("cluster.name") && why.contains(ClusterBuild.id()), why);

    assertTrue(Await.of(left.future(), 15), "the refused member held data before it left");
    assertEquals(1, first.getCluster().getMembers().size(), "the refused member left again");
    assertEquals(Set.of(first.getCluster().getLocalMember().getUuid()), partitionOwners(first),
        "no partition went to the refused member");
    assertEquals(2, alice.publish("lobby", "after").getLong("seq"), "the room goes on where it was");

    // a node of this build joins as a lite member and promotes itself: it takes its share
    SwitchboardNode second = cluster.addNode();
    assertFalse(second.hazelcast().getCluster().getLocalMember().isLiteMember());
    assertFalse(first.getCluster().getLocalMember().isLiteMember());
    assertEquals(2, partitionOwners(first).size(), "both nodes own partitions");
    WsClient bob = WsClient.open(vertx, cluster.port(1), Tokens.user("bob"));
    JsonObject joined = bob.request(new JsonObject().put("type", "join").put("room", "lobby").put("history", 10));
    assertEquals(2, joined.getJsonArray("history").size(), joined.encode());
  }

  /** A build from before the check (no attribute) joins anyway: the nodes already there say so. */
  @Test
  void aDataMemberOfAnotherBuildThatJoinsLaterIsLogged() {
    cluster = TestCluster.start(1, Map.of());
    Logger logger = (Logger) LoggerFactory.getLogger(ClusterBuild.class);
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    HazelcastInstance foreign = null;
    try {
      var hz = ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of("cluster.name", "unused-" + UUID.randomUUID())));
      cluster.joinThis(hz);
      foreign = Hazelcast.newHazelcastInstance(hz);
      String foreignAddress = foreign.getCluster().getLocalMember().getAddress().toString();
      ILoggingEvent line = awaitLine(lines, foreignAddress);
      assertEquals(Level.ERROR, line.getLevel());
      assertTrue(line.getFormattedMessage().contains("a build without this check"), line.getFormattedMessage());
    } finally {
      logger.detachAppender(lines);
      if (foreign != null) {
        foreign.getLifecycleService().terminate();
      }
    }
  }

  /** Waits (a poll: the membership event has no hook of its own here) for a line that names {@code text}. */
  private static ILoggingEvent awaitLine(ListAppender<ILoggingEvent> lines, String text) {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      synchronized (lines) { // the appender adds under its own lock
        for (ILoggingEvent line : lines.list) {
          if (line.getFormattedMessage().contains(text)) {
            return line;
          }
        }
      }
      java.util.concurrent.locks.LockSupport.parkNanos(50_000_000L);
    }
    throw new AssertionError("no line about " + text + " in " + lines.list);
  }

  private static Set<UUID> partitionOwners(HazelcastInstance hazelcast) {
    Set<UUID> owners = new HashSet<>();
    for (var partition : hazelcast.getPartitionService().getPartitions()) {
      assertNotNull(partition.getOwner(), "partition " + partition.getPartitionId() + " has no owner");
      owners.add(partition.getOwner().getUuid());
    }
    return owners;
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append(" | ");
    }
    return all.toString();
  }
}
