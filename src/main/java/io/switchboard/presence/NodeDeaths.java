package io.switchboard.presence;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.Member;
import io.switchboard.room.Fanout;
import io.switchboard.room.NodeRouter;
import io.switchboard.room.RoomStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When Hazelcast declares a member dead (within {@code cluster.failureTimeout}), removes that
 * node's connections from every room and from the user directory, and tells the remaining
 * members of each room who left (DESIGN property 5). Every surviving node does this; the
 * removal is atomic per room, so each leave is announced once. A removal that fails (the
 * partitions are migrating away from the dead member just then) is tried again until it
 * succeeds or the node is back (a split brain healed: it keeps its node id).
 *
 * <p>A death can still go unseen: a node that died while the only other one was starting, before
 * it watched, or a purge given up when its node stopped. Nobody else reconciles a node that is
 * gone, so its users would stay in member lists and count against their connection limit for
 * good. The oldest data member therefore sweeps now and then ({@link #sweep}): any node that the
 * users or rooms still name and that is not a member is purged as if it had just died.
 */
public final class NodeDeaths implements MembershipListener {

  private static final Logger LOG = LoggerFactory.getLogger(NodeDeaths.class);

  private final Context context;
  private final RoomStore rooms;
  private final UserDirectory users;
  private final Fanout fanout;
  private final HazelcastInstance hazelcast;
  private final NodeRouter router;
  private final CleanupRetry retry;
  private UUID registration;
  private long sweepTimer = -1;
  /** The nodes whose purge runs on this node now (this verticle's context). */
  private final java.util.Set<String> purging = new java.util.HashSet<>();
  /** A sweep's scans are under way (this verticle's context): a slow one is not overlapped by the next. */
  private boolean sweeping;
  private volatile boolean unwatched;

  public NodeDeaths(Context context, HazelcastInstance hazelcast, RoomStore rooms, UserDirectory users, Fanout fanout,
                    NodeRouter router) {
    this.context = context;
    this.router = router;
    this.hazelcast = hazelcast;
    this.rooms = rooms;
    this.users = users;
    this.fanout = fanout;
    this.retry = new CleanupRetry(context.owner(), 1_000, 30_000);
  }

  /** {@code sweepEveryMs}: how often the oldest data member looks for deaths nobody purged. */
  public void watch(long sweepEveryMs) {
    registration = hazelcast.getCluster().addMembershipListener(this);
    sweepTimer = context.owner().setPeriodic(sweepEveryMs, t -> {
      // one sweep for the cluster, not one per node
      if (NodeIds.oldestIsLocal(hazelcast.getCluster()) && !sweeping) {
        sweep().onFailure(e -> LOG.warn("the sweep for nodes that left unpurged failed, next one will retry: {}",
            e.toString()));
      }
    });
  }

  public void unwatch() {
    unwatched = true;
    context.owner().cancelTimer(sweepTimer);
    retry.stop();
    if (registration != null) {
      hazelcast.getCluster().removeMembershipListener(registration);
    }
  }

  @Override
  public void memberAdded(MembershipEvent event) {
    LOG.info("member {} joined the cluster ({} members)", describe(event.getMember()), event.getMembers().size());
  }

  @Override
  public void memberRemoved(MembershipEvent event) {
    String node = NodeIds.of(event.getMember());
    LOG.info("member {} left the cluster ({} members)", describe(event.getMember()), event.getMembers().size());
    if (!NodeIds.serves(event.getMember())) {
      // a program that joined the cluster, or a node that left again at its start (another
      // build, see ClusterBuild): neither held connections; a node serves only once promoted
      return;
    }
    fanout.forget(node);
    context.runOnContext(v -> purge(node));
    router.nodeLeft();
  }

  private static String describe(com.hazelcast.cluster.Member member) {
    String node = NodeIds.of(member);
    return (node == null ? "(not a Switchboard node)" : node) + " at " + member.getAddress();
  }

  /**
   * Purges every node that the users or rooms name and that is not a member, and not being
   * purged here already; the nodes it found. The members are read again after the scans: a node
   * that joined meanwhile wrote entries the first list did not know. Runs on this verticle's
   * context.
   */
  public Future<java.util.Set<String>> sweep() {
    java.util.Set<String> known = NodeIds.in(hazelcast.getCluster());
    sweeping = true;
    // join, not all: the flag waits for both scans, also when one failed
    return Future.join(users.strangers(known), rooms.strangers(known)).eventually(() -> {
      sweeping = false;
      return Future.succeededFuture();
    }).map(both -> {
      if (unwatched) {
        return java.util.Set.<String>of(); // the node stops: the others sweep
      }
      java.util.Set<String> left = new java.util.TreeSet<>(both.<java.util.Set<String>>resultAt(0));
      left.addAll(both.<java.util.Set<String>>resultAt(1));
      left.removeAll(NodeIds.in(hazelcast.getCluster()));
      left.removeAll(purging);
      for (String node : left) {
        LOG.warn("node {} is not a member, yet the cluster's presence still names it: its death went unseen or"
            + " its purge was given up; purging it now", node);
        fanout.forget(node);
        purge(node);
        router.nodeLeft();
      }
      return left;
    });
  }

  private void purge(String node) {
    if (!purging.add(node)) {
      return; // under way here already (the sweep's, or the member's removal): it is idempotent, but twice is load
    }
    BooleanSupplier gone = () -> !NodeIds.in(hazelcast.getCluster()).contains(node);
    Future<Void> directory = retry.run("user directory clean-up for " + node, gone, () -> users.purgeNode(node));
    // each partition's leaves are told as soon as they are made: a partition that fails is
    // tried again under the same op (it may have been done before its call failed), and the
    // ones done already are not asked again
    long op = io.switchboard.room.RoomStore.newOpId();
    java.util.Set<String> done = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Future<Void> presence = retry.run("room presence clean-up for " + node, gone, () -> rooms.purgeNode(node, op, done,
        changed -> changed.forEach((room, reply) -> {
          // each leave with the count after it, as if they had left one by one: all of them
          // with the count after the last said "2, 2, 2" where the members went 4, 3, 2
          List<Member> left = reply.members();
          for (int i = 0; i < left.size(); i++) {
            String frame = FrameEncoder.presence(room, "leave", left.get(i).user(), left.get(i).name(),
                reply.count() + left.size() - 1 - i);
            fanout.send(reply.nodes(), NodeRouter.Kind.EVENT, room, 0, frame, null);
          }
        })));
    // until the purge, rooms and the directory still name the node, and a message sent to their
    // nodes counted a backlog for it again: forgotten once more when nothing names it
    Future.join(directory, presence).onComplete(ar -> {
      purging.remove(node);
      if (gone.getAsBoolean()) {
        fanout.forget(node);
      }
    });
  }
}
