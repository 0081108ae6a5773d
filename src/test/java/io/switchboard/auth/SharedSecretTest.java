package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import io.switchboard.config.ConfigLoader;
import io.switchboard.support.Await;
import io.switchboard.support.Ports;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * With no auth.jwtSecret, the nodes of a cluster sign with one random key kept in the cluster
 * (PROTOCOL.md: a token issued by any node is accepted by every node).
 */
@ExtendWith(VertxExtension.class)
class SharedSecretTest {

  /**
   * The key's entry is lost (its owner and backup gone at once): a node that started now would
   * put a key of its own, and the cluster would be split between two keys. The members that are
   * left put theirs back when a member leaves.
   */
  @Test
  void theKeyLostWithItsMembersIsPutBackByThoseLeft(Vertx vertx) throws Exception {
    String name = "secret-" + UUID.randomUUID();
    int base = Ports.freeRange(10);
    HazelcastInstance one = member(name, base);
    HazelcastInstance two = member(name, base);
    try {
      String key = Await.of(SharedSecret.obtain(vertx, one, null, true));
      assertEquals(key, Await.of(SharedSecret.obtain(vertx, two, null, true)), "the second node takes the first one's key");

      com.hazelcast.map.IMap<String, String> secrets = one.getMap(SharedSecret.MAP_NAME);
      CompletableFuture<String> putBack = new CompletableFuture<>();
      secrets.delete("jwt"); // as if lost with its partition's owner and backup
      secrets.addEntryListener((com.hazelcast.map.listener.EntryAddedListener<String, String>) e ->
          putBack.complete(e.getValue()), true);
      two.getLifecycleService().terminate();
      assertEquals(key, putBack.get(30, TimeUnit.SECONDS), "put back by the member left");
    } finally {
      one.getLifecycleService().terminate();
      two.getLifecycleService().terminate();
    }
  }

  private static HazelcastInstance member(String cluster, int port) {
    com.hazelcast.config.Config hz = io.switchboard.ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of("cluster.name", cluster)));
    hz.getNetworkConfig().setPort(port).setPortAutoIncrement(true);
    hz.getNetworkConfig().getJoin().getTcpIpConfig().setMembers(List.of("127.0.0.1"));
    return Hazelcast.newHazelcastInstance(hz);
  }
}
