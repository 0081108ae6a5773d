package io.switchboard.protocol;

import io.vertx.core.json.JsonObject;

/**
 * The client frames of PROTOCOL.md section 2, validated. {@code id} is a String, a Long or null.
 * Grants, membership and limits that depend on the session are checked by the gateway.
 */
public sealed interface Command extends Decoded {

  Object id();

  /** {@code since} is null without recovery; {@code history} is how many recent messages to send. */
  record Join(Object id, String room, Since since, int history) implements Command {
  }

  record Since(long seq, String epoch) {
  }

  record Leave(Object id, String room) implements Command {
  }

  /** At least one of {@code text} and {@code data} is non-null. */
  /** {@code key}: the client's name for this message, so that sending it again stores it once (null: none). */
  record Publish(Object id, String room, String text, JsonObject data, String key) implements Command {
    public Publish(Object id, String room, String text, JsonObject data) {
      this(id, room, text, data, null);
    }
  }

  /** {@code key}: as for {@link Publish}. */
  record Private(Object id, String to, String text, JsonObject data, String key) implements Command {
    public Private(Object id, String to, String text, JsonObject data) {
      this(id, to, text, data, null);
    }
  }

  /** {@code before} and {@code after} are null when absent. */
  record History(Object id, String room, Long before, Long after, int limit) implements Command {
  }

  record Members(Object id, String room) implements Command {
  }

  /** The user's private conversations, newest first (an addition to PROTOCOL.md version 1). */
  record Conversations(Object id, int limit) implements Command {
  }

  record Ping(Object id) implements Command {
  }

  record Heartbeat(Object id) implements Command {
  }

  record Refresh(Object id, String token) implements Command {
  }
}
