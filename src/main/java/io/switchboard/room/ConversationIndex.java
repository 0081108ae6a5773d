package io.switchboard.room;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.switchboard.presence.ClusterCall;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whom each user has private conversations with, cluster-wide: a user's {@link Peers} in a
 * Hazelcast map. Without it a client could find a conversation only by its other user's name,
 * so a first private message sent while its receiver was offline was stored and never shown.
 *
 * <p>Noting costs a cluster call per user, so a node notes a pair at most once per
 * {@link #NOTE_EVERY_MS}: the index's order is that much behind for a busy conversation, and the
 * list orders by each conversation's newest message anyway. A note that fails is forgotten here
 * and made again with the pair's next message.
 */
public final class ConversationIndex {

  public static final String MAP_NAME = "switchboard.conversations";
  public static final long NOTE_EVERY_MS = 10 * 60_000;
  /** Pairs remembered as noted; past this the memory starts again (and notes each pair once more). */
  static final int REMEMBERED = 100_000;

  private static final Logger LOG = LoggerFactory.getLogger(ConversationIndex.class);
  private static final io.switchboard.ops.ThrottledLog NOTE_FAILED = new io.switchboard.ops.ThrottledLog(LOG);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final IMap<String, Peers> peers;
  /** "user\npeer" → when this node last noted the pair (monotonic ms); shared by the node's loops. */
  private final ConcurrentHashMap<String, Long> noted = new ConcurrentHashMap<>();

  public ConversationIndex(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.peers = hazelcast.getMap(MAP_NAME);
  }

  /**
   * Notes a private message between {@code a} and {@code b} in both users' entries (at most once
   * per window); completes when both are noted or known noted. Never fails: a note that failed is
   * logged, and made again with the pair's next message.
   */
  Future<Void> note(String a, String b) {
    long now = io.switchboard.ops.Clocks.monotonicMillis();
    long wallMs = System.currentTimeMillis();
    return Future.join(noteOne(a, b, now, wallMs), noteOne(b, a, now, wallMs)).<Void>mapEmpty().otherwiseEmpty();
  }

  private Future<Void> noteOne(String user, String peer, long now, long wallMs) {
    String pair = user + '\n' + peer;
    Long last = noted.get(pair);
    if (last != null && now - last < NOTE_EVERY_MS) {
      return Future.succeededFuture();
    }
    if (noted.size() >= REMEMBERED) {
      noted.clear();
    }
    noted.put(pair, now);
    return ClusterCall.onKey(vertx, hazelcast, peers, user, new PeerOps.Note(peer, wallMs)).<Void>mapEmpty().onFailure(e -> {
      noted.remove(pair, now);
      NOTE_FAILED.warn("conversation of {} with {} not noted (noted with its next message): {}", user, peer, e.toString());
    });
  }

  /** Up to {@code limit} of the user's peers, most recently noted first. */
  Future<ArrayList<String>> recent(String user, int limit) {
    return ClusterCall.onKey(vertx, hazelcast, peers, user, new PeerOps.Recent(limit));
  }
}
