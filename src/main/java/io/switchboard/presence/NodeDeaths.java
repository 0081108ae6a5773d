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

  public void watch() {
    registration = hazelcast.getCluster().addMembershipListener(this);
  }

  public void unwatch() {
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
    if (node == null || event.getMember().isLiteMember()) {
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

  private void purge(String node) {
    BooleanSupplier gone = () -> hazelcast.getCluster().getMembers().stream().noneMatch(m -> node.equals(NodeIds.of(m)));
    Future<Void> directory = retry.run("user directory clean-up for " + node, gone, () -> users.purgeNode(node));
    // each partition's leaves are told as soon as they are made: a partition that fails is
    // tried again under the same op (it may have been done before its call failed), and the
    // ones done already are not asked again
    long op = io.switchboard.room.RoomStore.newOpId();
    java.util.Set<String> done = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Future<Void> presence = retry.run("room presence clean-up for " + node, gone, () -> rooms.purgeNode(node, op, done,
        changed -> changed.forEach((room, reply) -> {
          for (Member left : reply.members()) {
            String frame = FrameEncoder.presence(room, "leave", left.user(), left.name(), reply.count());
            fanout.send(reply.nodes(), NodeRouter.Kind.EVENT, room, 0, frame, null);
          }
        })));
    // until the purge, rooms and the directory still name the node, and a message sent to their
    // nodes counted a backlog for it again: forgotten once more when nothing names it
    Future.join(directory, presence).onComplete(ar -> {
      if (gone.getAsBoolean()) {
        fanout.forget(node);
      }
    });
  }
}
