package io.switchboard.gateway;

import io.switchboard.room.EncodedFrame;
import java.util.ArrayList;
import java.util.List;

/**
 * One join of a session on its way to the cluster ({@link LocalRoom}): the presence events that
 * came meanwhile, and how many logs the room's stream had taken up when it was sent. The join's
 * member list was taken on the room's partition at some point of that round trip, and an event of
 * another node can arrive before the answer: dropped, the joiner's list stayed wrong until it
 * asked again. Its own object: a join given up on whose failure settles late must not end the
 * session's next join's wait. Event loop only.
 */
final class JoinAttempt {

  /** Events kept per join: a round trip's worth in the busiest room, generously. */
  static final int MAX_EVENTS = 256;

  private final List<EncodedFrame> events = new ArrayList<>();
  final int epochChanges;

  JoinAttempt(int epochChanges) {
    this.epochChanges = epochChanges;
  }

  /** Keeps a presence event that came while the join was on its way (up to {@link #MAX_EVENTS}). */
  void hold(EncodedFrame event) {
    if (events.size() < MAX_EVENTS) {
      events.add(event);
    }
  }

  /**
   * Sends {@code session} the presence events that came while its join was on its way, where
   * they change the {@code joined} frame's member list ({@code listed}, of {@code count}
   * members). A list cut to its byte budget names the first members by user id: an event about a
   * user sorting after the last one listed is passed on, for the list cannot say whether it has
   * it (a join told twice is harmless, a leave lost is not). Null: no list was sent, all are.
   */
  void passOn(ClientSession session, java.util.Set<String> listed, int count) {
    if (listed == null) {
      events.forEach(session::send);
      return;
    }
    if (events.isEmpty()) {
      return;
    }
    String lastListed = count > listed.size() ? listed.stream().max(String::compareTo).orElse("") : null;
    java.util.Set<String> present = new java.util.HashSet<>(listed);
    for (EncodedFrame frame : events) {
      io.vertx.core.json.JsonObject event = new io.vertx.core.json.JsonObject(frame.text());
      String user = event.getString("user");
      if (user == null) {
        // about no member ($metrics' metrics frames): the list says nothing of it. Read as a
        // presence event, it was dropped, or its null user threw where the list was cut
        session.send(frame);
        continue;
      }
      boolean unlisted = lastListed != null && user.compareTo(lastListed) > 0;
      if (unlisted || ("join".equals(event.getString("event")) ? present.add(user) : present.remove(user))) {
        session.send(frame);
      }
    }
  }
}
