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
 * and made again with the pair's next message. A message whose pair is being noted waits for
 * that note, so that its ack, too, means listed.
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
  /** "user\npeer" → this node's last note of the pair; shared by the node's loops. */
  private final ConcurrentHashMap<String, Noted> noted = new ConcurrentHashMap<>();

  /** A note made at {@code at} (monotonic ms), {@code done} once the cluster has it. */
  private record Noted(long at, Future<Void> done) {
  }

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
    return Future.join(noteOne(a, b, now, wallMs, true), noteOne(b, a, now, wallMs, true)).<Void>mapEmpty().otherwiseEmpty();
  }

  /** {@code waitForEarlier}: a note under way for an earlier message answers for this one too, unless it fails. */
  private Future<Void> noteOne(String user, String peer, long now, long wallMs, boolean waitForEarlier) {
    String pair = user + '\n' + peer;
    Noted last = noted.get(pair);
    if (last != null && now - last.at() < NOTE_EVERY_MS && !full(user, now)) {
      if (last.done().succeeded()) {
        return Future.succeededFuture();
      }
      if (waitForEarlier && !last.done().isComplete()) {
        // once more on its own if the earlier one failed, and only once: a cluster that refuses
        // every call must not be asked in a loop
        return last.done().recover(e -> noteOne(user, peer, now, wallMs, false));
      }
    }
    if (noted.size() >= REMEMBERED) {
      noted.clear();
      fullSince.clear();
    }
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    Noted mine = new Noted(now, done.future());
    noted.put(pair, mine);
    ClusterCall.onKey(vertx, hazelcast, peers, user, new PeerOps.Note(peer, wallMs)).onComplete(ar -> {
      if (ar.failed()) {
        noted.remove(pair, mine); // before the waiters try again
        NOTE_FAILED.warn("conversation of {} with {} not noted (noted with its next message): {}", user, peer,
            ar.cause().toString());
      } else if (Boolean.FALSE.equals(ar.result())) {
        fullSince.put(user, now);
      }
      done.handle(ar.<Void>mapEmpty());
    });
    return done.future();
  }

  /**
   * Users whose entry was found full (a bot writing to thousands) within the window, and when:
   * each new peer there takes the place of the one noted longest ago, so a pair noted a minute
   * ago may be gone already, and a reply to the bot went unlisted. Every message of theirs is
   * noted, not once per window.
   */
  private final ConcurrentHashMap<String, Long> fullSince = new ConcurrentHashMap<>();

  private boolean full(String user, long now) {
    Long since = fullSince.get(user);
    if (since == null) {
      return false;
    }
    if (now - since >= NOTE_EVERY_MS) {
      fullSince.remove(user, since);
      return false;
    }
    return true;
  }

  /** Up to {@code limit} of the user's peers, most recently noted first. */
  Future<ArrayList<String>> recent(String user, int limit) {
    return ClusterCall.onKey(vertx, hazelcast, peers, user, new PeerOps.Recent(limit));
  }
}
