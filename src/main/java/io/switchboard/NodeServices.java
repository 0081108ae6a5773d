package io.switchboard;

import io.switchboard.auth.Grants;
import io.switchboard.auth.TokenVerifier;
import io.switchboard.config.Config;
import io.switchboard.presence.UserDirectory;
import io.switchboard.room.NodeRouter;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every verticle of a node shares: configuration, identity of the node, token checks and
 * the cluster-wide directories. Everything here is thread-safe.
 *
 * @param rooms       the room requests (join, publish, history…), called directly on the caller's context
 * @param connections open WebSocket connections on this node, for {@code limits.maxConnections}
 * @param ready       true once clustered and listening, false again while draining
 * @param memberLost  true once the Hazelcast member shut down while the node was not stopping:
 *                    the node can never serve again ({@code /health} says so, Main exits)
 * @param metrics     the node's meters, exported at {@code /metrics}
 * @param connects    each user's connects to this node, rate-limited (see Admission)
 * @param spent       what users' closed connections here spent of their rate limits, for their next one
 * @param readBytes   what the node's read replies may take together, bytes a second
 */
public record NodeServices(Config config, String nodeId, TokenVerifier tokens, Grants grants, NodeRouter router,
                           UserDirectory users, io.switchboard.room.RoomService rooms,
                           AtomicInteger connections, AtomicBoolean ready, AtomicBoolean memberLost,
                           io.switchboard.ops.NodeMetrics metrics, io.switchboard.gateway.KeyedBuckets connects,
                           io.switchboard.gateway.SpentLimits spent, io.switchboard.gateway.ReadBytes readBytes) {
}
