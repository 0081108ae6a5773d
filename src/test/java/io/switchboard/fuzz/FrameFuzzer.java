package io.switchboard.fuzz;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Random;

/**
 * Makes hostile client frames from a seed: random text, JSON that is not an object, known types
 * with fields of the wrong type, deep nesting, huge numbers, and valid frames with characters
 * flipped, cut or inserted. Every frame fits in the frame limit it is given.
 */
final class FrameFuzzer {

  private static final List<String> TYPES = List.of("join", "leave", "publish", "private", "history", "members",
      "ping", "heartbeat", "refresh", "conversations", "welcome", "JOIN", "", "message", "ack");
  private static final List<String> FIELDS = List.of("type", "id", "room", "text", "data", "to", "since", "history",
      "before", "after", "limit", "token", "from");
  private final Random random;
  private final int maxBytes;

  FrameFuzzer(long seed, int maxBytes) {
    this.random = new Random(seed);
    this.maxBytes = maxBytes;
  }

  String next() {
    String frame = switch (random.nextInt(8)) {
      case 0 -> randomText(random.nextInt(200));
      case 1 -> notAnObject();
      case 2 -> wrongTypes().encode();
      case 3 -> deepNesting();
      case 4 -> hugeNumbers();
      case 5, 6 -> mutate(validFrame().encode());
      default -> validFrame().encode();
    };
    return frame.length() * 4 > maxBytes ? frame.substring(0, maxBytes / 4) : frame;
  }

  private String randomText(int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      int kind = random.nextInt(10);
      if (kind < 6) {
        sb.append((char) (32 + random.nextInt(95)));
      } else if (kind < 8) {
        sb.append("{}[]\":,\\".charAt(random.nextInt(8)));
      } else if (kind < 9) {
        sb.appendCodePoint(0x1F600 + random.nextInt(50));
      } else {
        sb.append((char) random.nextInt(32));
      }
    }
    return sb.toString();
  }

  private String notAnObject() {
    return switch (random.nextInt(6)) {
      case 0 -> "[]";
      case 1 -> "[{\"type\":\"ping\"}]";
      case 2 -> "\"ping\"";
      case 3 -> Long.toString(random.nextLong());
      case 4 -> "null";
      default -> "true";
    };
  }

  private Object anyValue(int depth) {
    return switch (random.nextInt(depth > 2 ? 6 : 8)) {
      case 0 -> random.nextInt();
      case 1 -> random.nextDouble() * 1e10;
      case 2 -> randomText(random.nextInt(20));
      case 3 -> random.nextBoolean();
      case 4 -> null;
      case 5 -> TYPES.get(random.nextInt(TYPES.size()));
      case 6 -> new JsonArray().add(anyValue(depth + 1)).add(anyValue(depth + 1));
      default -> new JsonObject().put(FIELDS.get(random.nextInt(FIELDS.size())), anyValue(depth + 1));
    };
  }

  private JsonObject wrongTypes() {
    JsonObject o = new JsonObject().put("type", random.nextInt(4) == 0 ? anyValue(0) : TYPES.get(random.nextInt(TYPES.size())));
    int fields = random.nextInt(5);
    for (int i = 0; i < fields; i++) {
      o.put(FIELDS.get(random.nextInt(FIELDS.size())), anyValue(0));
    }
    return o;
  }

  private String deepNesting() {
    int depth = 30 + random.nextInt(Math.min(3000, maxBytes / 8));
    boolean arrays = random.nextBoolean();
    StringBuilder sb = new StringBuilder("{\"type\":\"publish\",\"room\":\"fuzz\",\"data\":");
    for (int i = 0; i < depth; i++) {
      sb.append(arrays ? "[" : "{\"a\":");
    }
    sb.append('1');
    for (int i = 0; i < depth; i++) {
      sb.append(arrays ? "]" : "}");
    }
    return sb.append('}').toString();
  }

  private String hugeNumbers() {
    String[] numbers = {"1e400", "-1e400", "123456789012345678901234567890123456789", "9007199254740992",
        "-9223372036854775809", "0.0000000000000000000000001", "1E+2", "-0"};
    String n = numbers[random.nextInt(numbers.length)];
    String field = List.of("id", "limit", "before", "after", "history").get(random.nextInt(5));
    return "{\"type\":\"history\",\"room\":\"fuzz\",\"" + field + "\":" + n + "}";
  }

  private JsonObject validFrame() {
    String type = List.of("join", "leave", "publish", "history", "members", "ping", "heartbeat", "private", "conversations")
        .get(random.nextInt(9));
    JsonObject o = new JsonObject().put("type", type);
    if (random.nextBoolean()) {
      o.put("id", random.nextBoolean() ? (Object) random.nextInt(1000) : "f" + random.nextInt(1000));
    }
    switch (type) {
      case "join", "leave", "members" -> o.put("room", "fuzz" + random.nextInt(3));
      case "publish" -> o.put("room", "fuzz" + random.nextInt(3)).put("text", randomText(1 + random.nextInt(30)));
      case "history" -> o.put("room", "fuzz" + random.nextInt(3)).put("limit", 1 + random.nextInt(5));
      case "private" -> o.put("to", "fuzz-target").put("text", randomText(1 + random.nextInt(30)));
      default -> { }
    }
    return o;
  }

  private String mutate(String s) {
    StringBuilder sb = new StringBuilder(s);
    int edits = 1 + random.nextInt(3);
    for (int i = 0; i < edits && sb.length() > 0; i++) {
      int at = random.nextInt(sb.length());
      switch (random.nextInt(3)) {
        case 0 -> sb.deleteCharAt(at);
        case 1 -> sb.insert(at, "{}[]\":,\\0a-".charAt(random.nextInt(11)));
        default -> sb.setCharAt(at, (char) (32 + random.nextInt(95)));
      }
    }
    return sb.toString();
  }
}
