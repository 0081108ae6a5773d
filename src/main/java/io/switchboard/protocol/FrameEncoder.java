package io.switchboard.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes every server frame of PROTOCOL.md section 2. Stored messages are already-encoded JSON
 * and are spliced in raw, so history and fan-out never parse a message again.
 */
public final class FrameEncoder {

  private static final JsonFactory JSON = new JsonFactory();

  private FrameEncoder() {
  }

  /** The parts of a message frame around its {@code seq}: the log completes it with the seq. */
  public record MessageTemplate(String prefix, String suffix) {
    public String withSeq(long seq) {
      return prefix + seq + suffix;
    }
  }

  /**
   * A {@code message} frame (or {@code private}, when {@code to} is set) without its seq. Field
   * order follows PROTOCOL.md: type, room, seq, from, name, [to], text, data, [via], ts.
   */
  public static MessageTemplate message(String room, String from, String name, String to, String text,
                                        JsonObject data, boolean viaApi, String ts) {
    // by hand, as the ack: every publish encodes both, and Jackson's generator (its context, its
    // writer and buffers) was a fifth of the bytes a publish allocates
    // sized for the whole part (names, quotes and values), so that neither builder grows and
    // copies itself on the way: the tail's growth was 3 % of the bytes a publish allocated
    StringBuilder head = new StringBuilder(40 + length(room));
    head.append(to == null ? "{\"type\":\"message\",\"room\":" : "{\"type\":\"private\",\"room\":");
    quote(head, room).append(",\"seq\":");
    StringBuilder tail = new StringBuilder(64 + length(from) + length(name) + length(to) + length(text) + length(ts));
    quote(quote(tail.append(",\"from\":"), from).append(",\"name\":"), name);
    if (to != null) {
      quote(tail.append(",\"to\":"), to);
    }
    if (text != null) {
      quote(tail.append(",\"text\":"), text);
    }
    if (data != null) {
      tail.append(",\"data\":").append(data.encode());
    }
    if (viaApi) {
      tail.append(",\"via\":\"api\"");
    }
    quote(tail.append(",\"ts\":"), ts).append('}');
    return new MessageTemplate(head.toString(), tail.toString());
  }

  private static int length(String s) {
    return s == null ? 4 : s.length();
  }

  /**
   * {@code text} as a JSON string, escaped as Jackson escapes it (the other frames): quote and
   * backslash, and control characters, the common ones short; everything else as it is.
   */
  static StringBuilder quote(StringBuilder out, String text) {
    if (text == null) {
      return out.append("null"); // as Jackson writes a null string
    }
    out.append('"');
    int from = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c >= 0x20 && c != '"' && c != '\\') {
        continue;
      }
      out.append(text, from, i).append('\\');
      switch (c) {
        case '"', '\\' -> out.append(c);
        case '\b' -> out.append('b');
        case '\t' -> out.append('t');
        case '\n' -> out.append('n');
        case '\f' -> out.append('f');
        case '\r' -> out.append('r');
        default -> out.append("u00").append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
      from = i + 1;
    }
    return out.append(text, from, text.length()).append('"');
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  public static String welcome(String session, String user, String name, String node, long hbInterval,
                               long hbTimeout, int maxFrameBytes, int maxTextChars, int rate, int burst,
                               int maxRooms) {
    return frame("welcome", null, g -> {
      g.writeStringField("session", session);
      g.writeStringField("user", user);
      g.writeStringField("name", name);
      g.writeStringField("node", node);
      g.writeObjectFieldStart("heartbeat");
      g.writeNumberField("interval", hbInterval);
      g.writeNumberField("timeout", hbTimeout);
      g.writeEndObject();
      g.writeObjectFieldStart("limits");
      g.writeNumberField("maxFrameBytes", maxFrameBytes);
      g.writeNumberField("maxTextChars", maxTextChars);
      g.writeNumberField("rate", rate);
      g.writeNumberField("burst", burst);
      g.writeNumberField("maxRooms", maxRooms);
      g.writeEndObject();
    });
  }

  /** {@code recovered} is null when the join had no {@code since}. */
  public static String joined(Object id, String room, String epoch, long seq, Boolean recovered,
                              List<String> history, List<Member> members) {
    return joined(id, room, epoch, seq, recovered, history, members, members.size());
  }

  /** {@code count}: the room's members, of which {@code members} may be the first only. */
  public static String joined(Object id, String room, String epoch, long seq, Boolean recovered,
                              List<String> history, List<Member> members, int count) {
    return frame("joined", id, g -> {
      g.writeStringField("room", room);
      g.writeStringField("epoch", epoch);
      g.writeNumberField("seq", seq);
      if (recovered != null) {
        g.writeBooleanField("recovered", recovered);
      }
      writeRawArray(g, "history", history);
      writeMembers(g, members, count);
    });
  }

  public static String left(Object id, String room) {
    return frame("left", id, g -> g.writeStringField("room", room));
  }

  /** {@code online} is null for room messages and set for private ones. */
  public static String ack(Object id, String room, long seq, String ts, Boolean online) {
    StringBuilder out = new StringBuilder(96 + room.length() + (id instanceof String s ? s.length() : 0))
        .append("{\"type\":\"ack\"");
    if (id instanceof String s) {
      quote(out.append(",\"id\":"), s);
    } else if (id instanceof Number n) {
      out.append(",\"id\":").append(n.longValue());
    }
    quote(out.append(",\"room\":"), room).append(",\"seq\":").append(seq);
    quote(out.append(",\"ts\":"), ts);
    if (online != null) {
      out.append(",\"online\":").append(online.booleanValue());
    }
    return out.append('}').toString();
  }

  public static String presence(String room, String event, String user, String name, int count) {
    return frame("presence", null, g -> {
      g.writeStringField("room", room);
      g.writeStringField("event", event);
      g.writeStringField("user", user);
      g.writeStringField("name", name);
      g.writeNumberField("count", count);
    });
  }

  public static String history(Object id, String room, List<String> messages, boolean more) {
    return frame("history", id, g -> {
      g.writeStringField("room", room);
      writeRawArray(g, "messages", messages);
      g.writeBooleanField("more", more);
    });
  }

  /** {@code conversations}: {room, with, last} each, {@code last} a stored frame written as it is. */
  public static String conversations(Object id, List<JsonObject> conversations, boolean more) {
    return frame("conversations", id, g -> {
      g.writeArrayFieldStart("conversations");
      for (JsonObject c : conversations) {
        g.writeStartObject();
        g.writeStringField("room", c.getString("room"));
        g.writeStringField("with", c.getString("with"));
        g.writeFieldName("last");
        g.writeRawValue(c.getString("last"));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeBooleanField("more", more);
    });
  }

  public static String members(Object id, String room, List<Member> members) {
    return members(id, room, members, members.size());
  }

  public static String members(Object id, String room, List<Member> members, int count) {
    return frame("members", id, g -> {
      g.writeStringField("room", room);
      writeMembers(g, members, count);
    });
  }

  /** {@code GET /api/rooms}' answer: {@code [{"room":…,"count":…}, …]}, in the order given. */
  public static String roomCounts(Iterable<Map.Entry<String, Integer>> rooms) {
    StringBuilder out = new StringBuilder().append('[');
    for (Map.Entry<String, Integer> room : rooms) {
      if (out.length() > 1) {
        out.append(',');
      }
      quote(out.append("{\"room\":"), room.getKey()).append(",\"count\":").append(room.getValue()).append('}');
    }
    return out.append(']').toString();
  }

  public static String pong(Object id, String ts) {
    return frame("pong", id, g -> g.writeStringField("ts", ts));
  }

  public static String heartbeatAck(Object id, String ts) {
    return frame("heartbeat_ack", id, g -> g.writeStringField("ts", ts));
  }

  /** {@code expiresAt} is null for a token without {@code exp}. */
  public static String refreshed(Object id, String expiresAt) {
    return frame("refreshed", id, g -> {
      g.writeFieldName("expiresAt");
      if (expiresAt == null) {
        g.writeNull();
      } else {
        g.writeString(expiresAt);
      }
    });
  }

  /** {@code retryAfterMs} is only written for {@code rate_limited}; pass a negative value otherwise. */
  public static String error(Object id, ErrorCode code, String message, long retryAfterMs) {
    return frame("error", id, g -> {
      g.writeStringField("code", code.wire());
      g.writeStringField("message", message);
      if (retryAfterMs >= 0) {
        g.writeNumberField("retryAfterMs", retryAfterMs);
      }
    });
  }

  private static void writeMembers(JsonGenerator g, List<Member> members, int count) throws IOException {
    g.writeArrayFieldStart("members");
    for (Member m : members) {
      g.writeStartObject();
      g.writeStringField("user", m.user());
      g.writeStringField("name", m.name());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeNumberField("count", count);
  }

  private static void writeRawArray(JsonGenerator g, String field, List<String> raw) throws IOException {
    g.writeArrayFieldStart(field);
    for (String json : raw) {
      g.writeRawValue(json);
    }
    g.writeEndArray();
  }

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static String frame(String type, Object id, Body body) {
    return write(g -> {
      g.writeStringField("type", type);
      if (id instanceof String s) {
        g.writeStringField("id", s);
      } else if (id instanceof Number n) {
        g.writeNumberField("id", n.longValue());
      }
      body.write(g);
    });
  }

  private static String write(Body body) {
    StringWriter out = new StringWriter(128);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }
}
