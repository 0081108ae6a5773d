package io.switchboard.gateway;

import io.switchboard.protocol.Names;
import io.switchboard.room.EncodedFrame;
import io.vertx.core.Vertx;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The private conversations of one gateway instance's users ({@link RoomStreams}): a stream per
 * conversation while one of its two users is connected here, that puts its messages in order and
 * hands them to both users' sessions; let go when quiet, and taken up again from where it went
 * quiet. Event-loop confined, as RoomStreams.
 */
final class ConversationStreams {

  private final Vertx vertx;
  private final LogReader log;
  private final HeldBudget held;
  private final io.switchboard.ops.NodeMetrics metrics;
  /** RoomStreams' sessions by user, read here: who is connected. */
  private final Map<String, Set<ClientSession>> byUser;
  private final Map<String, OrderedStream> streams = new HashMap<>();
  /** The conversations in {@link #streams}, by user. */
  private final ConversationsByUser streamsOf = new ConversationsByUser();
  /**
   * A conversation that saw no message for this long is let go; its next message starts a new
   * stream, as its first one did. Without it, a connection that writes to thousands of users
   * (a bot, or someone making up ids) kept a stream and its recent frames for each of them.
   */
  private final long idleMs = Long.getLong("switchboard.conversationIdleMs", 120_000);
  /**
   * Where each conversation let go for quiet stopped ({@code epoch → seq}), while one of its
   * users is still here: its next stream goes on from there rather than from its next message,
   * so that one stored meanwhile by a node that died before sending it is read from the log, not
   * skipped (a conversation has no reconciliation round to notice). Forgotten when both users
   * have gone (what comes after they are back is theirs to read with history); the latest
   * {@link #MAX_QUIET_ENDS}.
   */
  private final Map<String, Map.Entry<String, Long>> quietEnds = new java.util.LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Map.Entry<String, Long>> eldest) {
      if (size() <= MAX_QUIET_ENDS) {
        return false;
      }
      quietOf.remove(eldest.getKey());
      return true;
    }
  };
  static final int MAX_QUIET_ENDS = 10_000;
  /** The conversations in {@link #quietEnds}, by user. */
  private final ConversationsByUser quietOf = new ConversationsByUser();

  ConversationStreams(Vertx vertx, LogReader log, HeldBudget held, io.switchboard.ops.NodeMetrics metrics,
                      Map<String, Set<ClientSession>> byUser) {
    this.vertx = vertx;
    this.log = log;
    this.held = held;
    this.metrics = metrics;
    this.byUser = byUser;
  }

  /**
   * A conversation's stream starts with the first messages this instance sees of it while one
   * of its users is connected here, and with the ones just before them that were stored while
   * they were here and never came (see {@link OrderedStream#startAfterHold(String,
   * java.util.function.Predicate)}); later ones are ordered and gaps filled from the log.
   */
  void onPrivate(String room, String epoch, long seq, EncodedFrame frame) {
    if (nobodyHere(room)) {
      return;
    }
    OrderedStream stream = conversation(room, epoch);
    stream.offer(seq, frame, epoch);
    if (!stream.started()) {
      stream.startAfterHold(epoch, storedWhileHere(Names.conversationUsers(room)));
    }
  }

  /** The conversation's stream; a new one goes on from where the last let go for quiet, in the same log {@code epoch}. */
  OrderedStream conversation(String room, String epoch) {
    String[] users = Names.conversationUsers(room);
    return streams.computeIfAbsent(room, r -> {
      metrics.conversations().incrementAndGet();
      streamsOf.add(r);
      OrderedStream fresh = new OrderedStream(vertx, r, log, (n, f) -> deliverPrivate(users, f), held);
      Map.Entry<String, Long> end = forgetQuiet(r);
      if (end != null && end.getKey().equals(epoch)) {
        fresh.start(end.getValue(), epoch); // a gap up to this message is read from the log
      }
      return fresh;
    });
  }

  /**
   * Whether a stored private message of the two {@code users} was stored after the earliest of
   * their connections here opened: one that this instance should have delivered. Its {@code ts}
   * is the clock of the node that took it, like {@code connectedAt}; a frame without one was not.
   */
  private java.util.function.Predicate<String> storedWhileHere(String[] users) {
    return stored -> {
      long since = Long.MAX_VALUE;
      for (String user : users) {
        for (ClientSession s : byUser.getOrDefault(user, Set.of())) {
          since = Math.min(since, s.connectedAt);
        }
      }
      return since != Long.MAX_VALUE && io.switchboard.room.RoomState.timeOf(stored) >= since;
    };
  }

  /** The last connection of {@code user} here closed: the conversations nobody here is in go. */
  void userGone(String user) {
    for (String room : streamsOf.of(user)) {
      if (nobodyHere(room)) {
        dropConversation(room);
      }
    }
    for (String room : quietOf.of(user)) {
      if (nobodyHere(room)) {
        forgetQuiet(room);
      }
    }
  }

  /** Adds the conversations with a stream, or let go for quiet, to {@code names}. */
  void addNames(Set<String> names) {
    names.addAll(streams.keySet());
    names.addAll(quietEnds.keySet());
  }

  /** The conversation's stream, null when it has none. */
  OrderedStream stream(String room) {
    return streams.get(room);
  }

  /** Where the conversation was let go for quiet ({@code epoch → seq}), null when it was not. */
  Map.Entry<String, Long> quietEnd(String room) {
    return quietEnds.get(room);
  }

  /** Neither user of the conversation has a connection here. */
  boolean nobodyHere(String room) {
    String[] users = Names.conversationUsers(room);
    return !byUser.containsKey(users[0]) && !byUser.containsKey(users[1]);
  }

  private Map.Entry<String, Long> forgetQuiet(String room) {
    Map.Entry<String, Long> end = quietEnds.remove(room);
    if (end != null) {
      quietOf.remove(room);
    }
    return end;
  }

  private void dropConversation(String room) {
    OrderedStream stream = streams.remove(room);
    if (stream == null) {
      return;
    }
    stream.close();
    metrics.conversations().decrementAndGet();
    streamsOf.remove(room);
  }

  private void deliverPrivate(String[] users, EncodedFrame frame) {
    int written = 0;
    for (String user : users) {
      Set<ClientSession> sessions = byUser.get(user);
      if (sessions != null) {
        for (ClientSession s : sessions) {
          written += s.send(frame) ? 1 : 0;
        }
      }
    }
    metrics.delivered(written, (long) written * frame.length());
  }

  /** Lets go of the conversations quiet for {@link #idleMs}; how many. {@code now}: monotonic. */
  int closeIdle(long now) {
    List<String> idle = streams.entrySet().stream()
        .filter(e -> e.getValue().idleSince(now - idleMs)).map(Map.Entry::getKey).toList();
    for (String room : idle) {
      OrderedStream stream = streams.get(room);
      if (stream.started() && stream.epoch() != null) {
        quietEnds.put(room, Map.entry(stream.epoch(), stream.cursor()));
        quietOf.add(room);
      }
      dropConversation(room);
    }
    return idle.size();
  }

  void close() {
    streams.values().forEach(OrderedStream::close);
    metrics.conversations().addAndGet(-streams.size());
    streams.clear();
    streamsOf.clear();
    quietEnds.clear();
    quietOf.clear();
  }
}
