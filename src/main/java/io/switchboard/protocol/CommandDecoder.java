package io.switchboard.protocol;

import io.switchboard.protocol.Command.Since;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * Turns one client text frame into a {@link Command} or a {@link Decoded.Rejected} frame. Bad
 * input is data, not an exception: nothing here throws on anything a client can send.
 */
public final class CommandDecoder {

  public static final int DEFAULT_HISTORY = 50;
  public static final int MAX_HISTORY = 100;
  private static final long MAX_ID = (1L << 53) - 1;
  private static final int MAX_ID_CHARS = 64;

  private final int maxTextChars;

  public CommandDecoder(int maxTextChars) {
    this.maxTextChars = maxTextChars;
  }

  public Decoded decode(String text) {
    JsonObject json;
    try {
      json = StrictJson.object(text);
      if (json == null) {
        throw new DecodeException("null");
      }
    } catch (DecodeException | ClassCastException e) {
      return new Decoded.Rejected(null, ErrorCode.BAD_REQUEST, "a frame must be one JSON object");
    } catch (RuntimeException e) {
      // Jackson's own limits (nesting depth, number length) surface as other runtime exceptions
      return new Decoded.Rejected(null, ErrorCode.BAD_REQUEST, "a frame must be one JSON object");
    }
    return decode(json);
  }

  public Decoded decode(JsonObject json) {
    Object id = json.getValue("id");
    if (json.containsKey("id") && !validId(id)) {
      return new Decoded.Rejected(null, ErrorCode.BAD_REQUEST,
          "id must be a string of at most 64 characters (no lone surrogate) or an integer of magnitude at most 2^53-1");
    }
    if (id instanceof Integer i) {
      id = i.longValue();
    }
    Object type = json.getValue("type");
    if (!(type instanceof String t)) {
      return bad(id, "type must be a string");
    }
    try {
      return switch (t) {
        case "join" -> join(id, json);
        case "leave" -> new Command.Leave(id, joinableRoom(json));
        case "publish" -> publish(id, json);
        case "private" -> privateMessage(id, json);
        case "history" -> history(id, json);
        case "members" -> new Command.Members(id, joinableRoom(json));
        case "conversations" -> new Command.Conversations(id,
            boundedInt(json, "limit", 1, MAX_CONVERSATIONS, DEFAULT_CONVERSATIONS));
        case "ping" -> new Command.Ping(id);
        case "heartbeat" -> new Command.Heartbeat(id);
        case "refresh" -> new Command.Refresh(id, token(json));
        default -> new Decoded.Rejected(id, ErrorCode.UNKNOWN_TYPE, "unknown type '" + shorten(t) + "'");
      };
    } catch (Invalid e) {
      return new Decoded.Rejected(id, e.code, e.getMessage());
    }
  }

  private Command join(Object id, JsonObject json) {
    String room = joinableRoom(json);
    Since since = null;
    if (json.getValue("since") != null) {
      if (!(json.getValue("since") instanceof JsonObject s)) {
        throw new Invalid("since must be an object {\"seq\":…,\"epoch\":…}");
      }
      Long seq = integer(s.getValue("seq"));
      if (seq == null || seq < 0 || !(s.getValue("epoch") instanceof String epoch)) {
        throw new Invalid("since needs a non-negative integer seq and a string epoch");
      }
      since = new Since(seq, epoch);
    }
    int history = boundedInt(json, "history", 0, MAX_HISTORY, DEFAULT_HISTORY);
    return new Command.Join(id, room, since, history);
  }

  private Command publish(Object id, JsonObject json) {
    String room = joinableRoom(json);
    String text = optionalText(json);
    JsonObject data = optionalData(json);
    return new Command.Publish(id, room, text, data, optionalKey(json));
  }

  private Command privateMessage(Object id, JsonObject json) {
    String to = requiredString(json, "to");
    if (!Names.isUser(to)) {
      throw new Invalid("to must be a user id");
    }
    String text = optionalText(json);
    JsonObject data = optionalData(json);
    return new Command.Private(id, to, text, data, optionalKey(json));
  }

  /**
   * A publish's or private message's {@code key} (an addition to PROTOCOL.md version 1): a
   * string of 1 to 64 characters naming the message, so that the same message sent again (after
   * a timeout, a lost link, or an {@code unavailable} whose message was stored after all) is
   * stored once and answered with its first seq. Anything else is no key: version 1 has unknown
   * fields ignored, and a client may have sent a {@code key} of its own before this one existed.
   */
  private static String optionalKey(JsonObject json) {
    return json.getValue("key") instanceof String s && validKey(s) ? s : null;
  }

  static final int MAX_KEY_CHARS = 64;
  /** A {@code conversations} read lists at most this many (an addition to PROTOCOL.md version 1). */
  public static final int MAX_CONVERSATIONS = 100;
  public static final int DEFAULT_CONVERSATIONS = 50;

  static boolean validKey(String key) {
    return !key.isEmpty() && key.codePointCount(0, key.length()) <= MAX_KEY_CHARS;
  }

  private Command history(Object id, JsonObject json) {
    String room = requiredString(json, "room");
    if (!Names.isReadableRoom(room)) {
      throw new Invalid("'" + shorten(room) + "' is not a valid room name");
    }
    Long before = optionalSeq(json, "before");
    Long after = optionalSeq(json, "after");
    if (before != null && after != null) {
      // a window between the two has no one meaning for "more" (older or newer?)
      throw new Invalid("give before or after, not both");
    }
    int limit = boundedInt(json, "limit", 1, MAX_HISTORY, DEFAULT_HISTORY);
    return new Command.History(id, room, before, after, limit);
  }

  private String optionalText(JsonObject json) {
    Object text = json.getValue("text");
    Object data = json.getValue("data");
    if (text == null && data == null) {
      throw new Invalid("a message needs text or data");
    }
    if (text == null) {
      return null;
    }
    if (!(text instanceof String s) || s.isEmpty()) {
      throw new Invalid("text must be a non-empty string");
    }
    if (Utf8.hasLoneSurrogate(s)) {
      throw new Invalid("text holds an unpaired surrogate (\\ud800-\\udfff alone), which no UTF-8 frame can carry");
    }
    if (s.length() > maxTextChars && s.codePointCount(0, s.length()) > maxTextChars) {
      throw new Invalid(ErrorCode.TOO_LARGE, "text is longer than " + maxTextChars + " characters");
    }
    return s;
  }

  private static JsonObject optionalData(JsonObject json) {
    Object data = json.getValue("data");
    if (data == null) {
      return null;
    }
    if (!(data instanceof JsonObject o)) {
      throw new Invalid("data must be a JSON object");
    }
    String bad = MessageData.badData(o);
    if (bad != null) {
      throw new Invalid(bad);
    }
    return o;
  }

  private static String joinableRoom(JsonObject json) {
    String room = requiredString(json, "room");
    if (!Names.isJoinableRoom(room)) {
      throw new Invalid(room.startsWith("dm:")
          ? "'dm:' rooms are conversations: send private messages, no join is needed"
          : "'" + shorten(room) + "' is not a valid room name");
    }
    return room;
  }

  private static String requiredString(JsonObject json, String field) {
    if (!(json.getValue(field) instanceof String s) || s.isEmpty()) {
      throw new Invalid(field + " must be a non-empty string");
    }
    return s;
  }

  /** Any string: an empty one is a token that is not valid, {@code forbidden} like any other (PROTOCOL.md). */
  private static String token(JsonObject json) {
    if (!(json.getValue("token") instanceof String s)) {
      throw new Invalid("token must be a string");
    }
    return s;
  }

  private static Long optionalSeq(JsonObject json, String field) {
    Object raw = json.getValue(field);
    if (raw == null) {
      return null;
    }
    Long v = integer(raw);
    if (v == null || v < 0) {
      throw new Invalid(field + " must be a non-negative integer");
    }
    return v;
  }

  private static int boundedInt(JsonObject json, String field, int min, int max, int def) {
    Object raw = json.getValue(field);
    if (raw == null) {
      return def;
    }
    Long v = integer(raw);
    if (v == null || v < min || v > max) {
      throw new Invalid(field + " must be an integer from " + min + " to " + max);
    }
    return v.intValue();
  }

  /** Integers only: a JSON number with a fraction or exponent parses as a Double and is refused. */
  private static Long integer(Object raw) {
    return raw instanceof Integer || raw instanceof Long ? ((Number) raw).longValue() : null;
  }

  private static boolean validId(Object id) {
    if (id instanceof String s) {
      // a lone surrogate has no UTF-8 form: the reply would carry "?" in its place
      return (s.length() <= MAX_ID_CHARS || s.codePointCount(0, s.length()) <= MAX_ID_CHARS) && !Utf8.hasLoneSurrogate(s);
    }
    Long v = integer(id);
    return v != null && v >= -MAX_ID && v <= MAX_ID;
  }

  private static Decoded.Rejected bad(Object id, String message) {
    return new Decoded.Rejected(id, ErrorCode.BAD_REQUEST, message);
  }

  /** At most 64 code points of client text in an error message, never half a surrogate pair. */
  private static String shorten(String s) {
    if (s.codePointCount(0, s.length()) <= 64) {
      return s;
    }
    return s.substring(0, s.offsetByCodePoints(0, 64)) + "…";
  }

  /** Unwinds a validation failure to {@link #decode(JsonObject)}; never leaves this class. */
  private static final class Invalid extends RuntimeException {
    private final ErrorCode code;

    Invalid(String message) {
      this(ErrorCode.BAD_REQUEST, message);
    }

    Invalid(ErrorCode code, String message) {
      super(message, null, false, false);
      this.code = code;
    }
  }
}
