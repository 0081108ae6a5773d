package io.switchboard.room;

import io.switchboard.protocol.Names;
import io.vertx.core.json.JsonObject;

/** Validation of messages sent by programs (event bus API); the same rules as client frames. */
final class ApiMessages {

  private ApiMessages() {
  }

  /** What is wrong with the request, or null when it can be sent. */
  static String problem(JsonObject b, boolean isPrivate, int maxTextChars) {
    if (!(b.getValue("from") instanceof String from) || !Names.isUser(from)) {
      return "from must be a user id";
    }
    if (isPrivate) {
      if (!(b.getValue("to") instanceof String to) || !Names.isUser(to)) {
        return "to must be a user id";
      }
      if (to.equals(from)) {
        return "to must differ from from";
      }
    } else if (!(b.getValue("room") instanceof String room) || !Names.isJoinableRoom(room) || Names.isSystemRoom(room)) {
      return "room must be a valid, non-system room name";
    }
    Object text = b.getValue("text");
    Object data = b.getValue("data");
    if (text == null && data == null) {
      return "a message needs text or data";
    }
    if (text != null && (!(text instanceof String s) || s.isEmpty() || s.codePointCount(0, s.length()) > maxTextChars)) {
      return "text must be a non-empty string of at most " + maxTextChars + " characters";
    }
    if (data != null && !(data instanceof JsonObject)) {
      return "data must be a JSON object";
    }
    if (b.getValue("name") != null && !(b.getValue("name") instanceof String)) {
      return "name must be a string";
    }
    return null;
  }

  static JsonObject normalized(JsonObject b) {
    String from = b.getString("from");
    JsonObject out = new JsonObject().put("from", from)
        .put("name", b.getString("name") != null && !b.getString("name").isBlank() ? b.getString("name") : from)
        .put("api", true);
    for (String field : new String[] {"room", "to", "text", "data"}) {
      if (b.getValue(field) != null) {
        out.put(field, b.getValue(field));
      }
    }
    return out;
  }
}
