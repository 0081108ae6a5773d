package io.switchboard.presence;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where each user is connected, cluster-wide: connections per node in a Hazelcast map. It
 * answers "is this user online", "which nodes must a private message go to" and counts
 * connections per user for {@code limits.maxConnectionsPerUser}.
 */
public final class UserDirectory {

  private static final io.switchboard.ops.ThrottledLog RECONCILE_FAILED =
      new io.switchboard.ops.ThrottledLog(org.slf4j.LoggerFactory.getLogger(UserDirectory.class));

  public static final String MAP_NAME = "switchboard.users";

  private final Vertx vertx;
  private final IMap<String, UserConnections> users;
  private final HazelcastInstance hazelcast;

  public UserDirectory(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.users = hazelcast.getMap(MAP_NAME);
  }

  /** Counts a connection: the user's new total, or -1 when the user already has {@code max}. */
  public Future<Integer> connect(String user, String node, int max) {
    // stamped before the node's own record of the connection exists: see PresenceClock
    return ClusterCall.onKey(vertx, hazelcast, users, user, new UserOps.Connect(node, max, PresenceClock.next()));
  }

  public Future<Integer> disconnect(String user, String node) {
    // stamped after the node's own record of the connection is gone: see PresenceClock
    return ClusterCall.onKey(vertx, hazelcast, users, user, new UserOps.Disconnect(node, false, PresenceClock.next()));
  }

  /** The nodes of each user that has a connection anywhere (offline users are absent or empty). */
  public Future<Map<String, ArrayList<String>>> locate(Set<String> userIds) {
    return ClusterCall.call(vertx, () -> users.submitToKeys(userIds, new UserOps.Locate()));
  }

  /**
   * The users the directory says have connections on {@code node}: the candidates for {@link
   * #reconcile}. Read by a read-only processor on the partition threads, not by a query: with
   * the OBJECT in-memory format a query scans on other threads, and would read entries while
   * their partition thread changes them.
   */
  public Future<Set<String>> onNode(String node) {
    return vertx.executeBlocking(() -> new HashSet<>(Partitions.answered(
        users.executeOnEntries(new UserOps.Locate(), new OnNode<UserConnections>(node))).keySet()), false);
  }

  /**
   * Sets this node's connection counts of every user to what the node knows; how many entries
   * changed. The users are those of the node's truth and the {@code candidates} from
   * {@link #onNode}, which must be read <em>before</em> the truth was taken: a user who connected
   * after the snapshot is then in neither and is left alone, instead of being counted out. One
   * call per partition with that partition's share (see {@link Partitions}). A user the node
   * disconnected after {@code since} (the {@link PresenceClock} read before the truth was taken)
   * is left for the next round.
   */
  public Future<Integer> reconcile(String node, LocalPresence truth, Set<String> candidates, long since) {
    return vertx.executeBlocking(() -> {
      Set<String> keys = new HashSet<>(candidates);
      keys.addAll(truth.users.keySet());
      // a partition that failed waits for the next round; the others' changes stand, and must not
      // fail the round, whose rooms' joins and leaves are told with it (PresenceReconciler)
      return Partitions.submitEach(hazelcast, users, keys, part -> new UserOps.Reconcile(node,
          Partitions.slice(truth.users, part), Partitions.slice(truth.busyUsers, part), since),
          e -> RECONCILE_FAILED.warn("presence reconciliation: a partition of the users failed, its users wait"
              + " for the next round: {}", e.toString())).join().size();
    }, false);
  }

  /** Each user's connections, cluster-wide: {@link #perNode} summed. */
  public Future<Map<String, Integer>> totals(Set<String> userIds) {
    return perNode(userIds).map(counts -> {
      Map<String, Integer> out = new HashMap<>();
      counts.forEach((user, nodes) -> out.put(user, nodes.values().stream().mapToInt(Integer::intValue).sum()));
      return out;
    });
  }

  /** Each user's connections per node, cluster-wide (a user without any is absent or empty). */
  public Future<Map<String, HashMap<String, Integer>>> perNode(Set<String> userIds) {
    if (userIds.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    // one call per partition: a call with all keys makes every partition scan all of them. On a
    // worker: a round asks for every user of the node, and grouping 100 000 ids by partition,
    // sending them and reading the answers took 0.2 to 0.7 s of the reconciler's loop
    return vertx.executeBlocking(() -> Partitions.submit(hazelcast, users, userIds, part -> new UserOps.PerNode()).join(),
        false);
  }

  /** The nodes the directory holds connections or stamps of, besides {@code known}: a scan of every entry. */
  public Future<Set<String>> strangers(Set<String> known) {
    return vertx.executeBlocking(() -> Strangers.union(users.executeOnEntries(new Strangers<UserConnections>(known))), false);
  }

  /** Forgets every connection of a dead node. */
  public Future<Void> purgeNode(String node) {
    return vertx.executeBlocking(() -> {
      users.executeOnEntries(new UserOps.Disconnect(node, true, 0));
      return null;
    }, false);
  }

  public static List<String> nodesOf(Map<String, ArrayList<String>> located, String user) {
    List<String> nodes = located.get(user);
    return nodes == null ? List.of() : nodes;
  }
}
