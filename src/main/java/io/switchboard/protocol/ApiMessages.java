package io.switchboard.protocol;

import io.vertx.core.json.JsonObject;

/**
 * Validation of messages sent by programs (HTTP and event bus API): the rules of client frames,
 * with a sender ({@code from}, and an optional {@code name}) that the program names itself.
 */
public final class ApiMessages {

  /** What is wrong with a request: its error code and a message for the program. */
  public record Problem(ErrorCode code, String message) {
  }

  private ApiMessages() {
  }

  /** What is wrong with the request, or null when it can be sent. */
  public static Problem problem(JsonObject b, boolean isPrivate, int maxTextChars, int maxFrameBytes) {
    String bad = badRequest(b, isPrivate);
    if (bad != null) {
      return new Problem(ErrorCode.BAD_REQUEST, bad);
    }
    if (b.getValue("text") instanceof String s && s.codePointCount(0, s.length()) > maxTextChars) {
      return new Problem(ErrorCode.TOO_LARGE, "text is longer than " + maxTextChars + " characters");
    }
    if (b.getValue("data") instanceof JsonObject data) {
      String badData = MessageData.badData(data);
      if (badData != null) {
        return new Problem(ErrorCode.BAD_REQUEST, badData);
      }
    }
    // a client's frame, data included, is bound by maxFrameBytes; a program's message must fit
    // the same bound, or every member it reaches (and every later join that reads it) is closed
    // as a slow consumer. What it carries as a whole: its text, data and name together. Not the
    // fields it drops, nor the room or user that HTTP takes from the URL: a body of
    // maxFrameBytes, which HTTP accepts, was refused once its room was added
    JsonObject carried = new JsonObject();
    for (String field : new String[] {"from", "name", "text", "data", "key"}) {
      if (b.getValue(field) != null) {
        carried.put(field, b.getValue(field));
      }
    }
    if (Utf8.length(carried.encode()) > maxFrameBytes) {
      return new Problem(ErrorCode.TOO_LARGE, "the message is larger than " + maxFrameBytes + " bytes as JSON");
    }
    return null;
  }

  private static String badRequest(JsonObject b, boolean isPrivate) {
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
    if (text != null && (!(text instanceof String s) || s.isEmpty() || Utf8.hasLoneSurrogate(s))) {
      return "text must be a non-empty string of whole characters";
    }
    if (data != null && !(data instanceof JsonObject)) {
      return "data must be a JSON object";
    }
    if (b.getValue("name") != null && !(b.getValue("name") instanceof String name && Names.isDisplayName(name))) {
      return "name must be a string of at most " + Names.MAX_DISPLAY_NAME_CHARS + " whole characters, with no control, line break or bidirectional control";
    }
    return null;
  }

  public static JsonObject normalized(JsonObject b) {
    String from = b.getString("from");
    JsonObject out = new JsonObject().put("from", from)
        .put("name", b.getString("name") != null && !b.getString("name").isBlank() ? b.getString("name") : from)
        .put("api", true);
    for (String field : new String[] {"room", "to", "text", "data"}) {
      if (b.getValue(field) != null) {
        out.put(field, b.getValue(field));
      }
    }
    // a key as the frames have it (CommandDecoder): anything else is no key, as there
    if (b.getValue("key") instanceof String key && CommandDecoder.validKey(key)) {
      out.put("key", key);
    }
    return out;
  }
}
