package io.switchboard.protocol;

import io.vertx.core.json.JsonObject;

/**
 * What a message's {@code data} may hold, for a client's frame ({@link CommandDecoder}) and a
 * program's message ({@link ApiMessages}) alike: data that every reader can read back, as it was
 * sent. Stateless: runs on whichever thread checks a message (a gateway's event loop for frames
 * and HTTP, a room service's for the event bus).
 */
final class MessageData {

  /**
   * How deep {@code data} may nest. The frames that carry it (message, history, joined) add two
   * levels, and common JSON parsers stop at 1000: deeper data would be stored but unreadable.
   */
  static final int MAX_DATA_DEPTH = 64;

  private MessageData() {
  }

  /** What is wrong with a message's {@code data}, or null: too deep, or a string no UTF-8 can carry. */
  static String badData(JsonObject data) {
    if (tooDeep(data)) {
      return "data must not nest deeper than " + MAX_DATA_DEPTH + " levels";
    }
    if (holds(data, MessageData::loneSurrogate)) {
      // relayed as UTF-8, it would arrive with '?' in its place: data must arrive as it was sent
      return "data holds an unpaired surrogate (\\ud800-\\udfff alone), which no UTF-8 frame can carry";
    }
    if (holds(data, MessageData::nonFinite)) {
      // 1e400 reads as Infinity, which JSON cannot say: relayed, it became the string "Infinity"
      return "data holds a number too large for a double (JSON has no Infinity or NaN)";
    }
    // a program's data comes over the event bus as objects, never read by Jackson here: one it
    // would refuse to read back (every member that observes the room, every re-read of the log)
    // is refused now. A frame's data was read, so it passes
    com.fasterxml.jackson.core.StreamReadConstraints limits = com.fasterxml.jackson.core.StreamReadConstraints.defaults();
    if (holds(data, leaf -> (leaf instanceof java.math.BigInteger || leaf instanceof java.math.BigDecimal)
        && leaf.toString().length() > limits.getMaxNumberLength())) {
      return "data holds a number of over " + limits.getMaxNumberLength() + " characters, which JSON readers refuse";
    }
    if (holds(data, key -> key.length() > limits.getMaxNameLength(), leaf -> false)) {
      return "data holds a name of over " + limits.getMaxNameLength() + " characters, which JSON readers refuse";
    }
    return null;
  }

  /** Whether {@code bad} holds for a key or a leaf value anywhere in a JSON value (depth is checked first). */
  private static boolean holds(Object value, java.util.function.Predicate<Object> bad) {
    return holds(value, bad::test, bad);
  }

  /** Whether {@code badKey} holds for a key, or {@code badLeaf} for a leaf value, anywhere in a JSON value. */
  private static boolean holds(Object value, java.util.function.Predicate<String> badKey,
                               java.util.function.Predicate<Object> badLeaf) {
    if (value instanceof JsonObject o) {
      for (java.util.Map.Entry<String, Object> e : o) {
        if (badKey.test(e.getKey()) || holds(e.getValue(), badKey, badLeaf)) {
          return true;
        }
      }
      return false;
    }
    if (value instanceof io.vertx.core.json.JsonArray a) {
      for (Object v : a) {
        if (holds(v, badKey, badLeaf)) {
          return true;
        }
      }
      return false;
    }
    return badLeaf.test(value);
  }

  private static boolean loneSurrogate(Object leaf) {
    return leaf instanceof String s && Utf8.hasLoneSurrogate(s);
  }

  /** A number a double holds only as Infinity or NaN. */
  private static boolean nonFinite(Object leaf) {
    return leaf instanceof Double d && !Double.isFinite(d) || leaf instanceof Float f && !Float.isFinite(f);
  }

  private static boolean tooDeep(JsonObject data) {
    return depth(data, 1) > MAX_DATA_DEPTH;
  }

  /** Nesting depth of a JSON value, stopping as soon as it passes the limit. */
  private static int depth(Object value, int level) {
    if (level > MAX_DATA_DEPTH) {
      return level;
    }
    int max = level;
    if (value instanceof JsonObject o) {
      for (java.util.Map.Entry<String, Object> e : o) {
        if (e.getValue() instanceof JsonObject || e.getValue() instanceof io.vertx.core.json.JsonArray) {
          max = Math.max(max, depth(e.getValue(), level + 1));
        }
      }
    } else if (value instanceof io.vertx.core.json.JsonArray a) {
      for (Object v : a) {
        if (v instanceof JsonObject || v instanceof io.vertx.core.json.JsonArray) {
          max = Math.max(max, depth(v, level + 1));
        }
      }
    }
    return max;
  }
}
