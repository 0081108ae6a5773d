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

  public static Future<String> obtain(Vertx vertx, HazelcastInstance hazelcast, String configured) {
    if (configured != null && !configured.isEmpty()) {
      return Future.succeededFuture(configured);
    }
    byte[] bytes = new byte[48];
    new SecureRandom().nextBytes(bytes);
    String mine = Base64.getEncoder().encodeToString(bytes);
    IMap<String, String> secrets = hazelcast.getMap(MAP_NAME);
    return vertx.executeBlocking(() -> secrets.putIfAbsent("jwt", mine), false)
        .map(previous -> {
          LOG.warn("auth.jwtSecret is not set: using a random signing key shared through the cluster; "
              + "tokens stop working when every node has restarted. Set SWITCHBOARD_AUTH_JWT_SECRET in production.");
          return previous != null ? previous : mine;
        });
  }
}
