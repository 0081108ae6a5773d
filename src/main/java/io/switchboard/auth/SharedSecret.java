package io.switchboard.auth;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HS256 signing key: {@code auth.jwtSecret} when configured, otherwise one random key that
 * the first node puts into the cluster and every later node takes from it, so that a token
 * issued by any node is accepted by every node.
 */
public final class SharedSecret {

  private static final Logger LOG = LoggerFactory.getLogger(SharedSecret.class);
  static final String MAP_NAME = "switchboard.secrets";

  private SharedSecret() {
  }

  /**
   * The configured secret, or the cluster's random one. {@code used}: whether tokens signed with it
   * are accepted; a node that takes only the identity provider's tokens has nothing to warn about.
   */
  public static Future<String> obtain(Vertx vertx, HazelcastInstance hazelcast, String configured, boolean used) {
    if (configured != null && !configured.isEmpty()) {
      return Future.succeededFuture(configured);
    }
    byte[] bytes = new byte[48];
    new SecureRandom().nextBytes(bytes);
    String mine = Base64.getEncoder().encodeToString(bytes);
    IMap<String, String> secrets = hazelcast.getMap(MAP_NAME);
    return vertx.executeBlocking(() -> secrets.putIfAbsent("jwt", mine), false)
        .map(previous -> {
          if (used) {
            LOG.warn("auth.jwtSecret is not set: using a random signing key shared through the cluster; "
                + "tokens stop working when every node has restarted. Set SWITCHBOARD_AUTH_JWT_SECRET in production.");
          }
          String key = previous != null ? previous : mine;
          keep(vertx, hazelcast, secrets, key);
          return key;
        });
  }

  /**
   * Keeps the key where the next node looks for it. The map's one entry is lost with its
   * partition's owner and backup (two members gone at once), and the next node to start would
   * put a key of its own, whose tokens the running nodes refuse (and theirs it). So after every
   * member that leaves, and after a split brain healed, this node puts its key back if the entry
   * is gone, and says so when another key is there: its nodes and this one refuse each other's
   * tokens until one side restarts.
   */
  private static void keep(Vertx vertx, HazelcastInstance hazelcast, IMap<String, String> secrets, String key) {
    // on a worker: the listeners run on Hazelcast's event threads, and IMap has no async putIfAbsent
    Runnable check = () -> vertx.executeBlocking(() -> secrets.putIfAbsent("jwt", key), false).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("could not check the cluster's shared signing key: {}", ar.cause().toString());
      } else if (ar.result() != null && !ar.result().equals(key)) {
        LOG.warn("the cluster's shared signing key is not this node's (two parts of the cluster started apart, "
            + "or its entry was lost): tokens issued by nodes of the other key are refused here. Restart this "
            + "node to take the cluster's key, or set SWITCHBOARD_AUTH_JWT_SECRET on every node.");
      }
    });
    hazelcast.getCluster().addMembershipListener(new com.hazelcast.cluster.MembershipListener() {
      @Override
      public void memberAdded(com.hazelcast.cluster.MembershipEvent event) {
        // a newcomer takes the key from the map
      }

      @Override
      public void memberRemoved(com.hazelcast.cluster.MembershipEvent event) {
        check.run();
      }
    });
    hazelcast.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == com.hazelcast.core.LifecycleEvent.LifecycleState.MERGED) {
        check.run();
      }
    });
  }
}
