package io.switchboard.protocol;

import io.vertx.core.json.JsonObject;

/**
 * The common client frame read without Jackson: one JSON object whose values are strings with no
 * escape, integers of at most 18 digits, {@code true}, {@code false} or {@code null}. Jackson's
 * parser, its context and buffers, then the map Vert.x builds from its tokens, were a sixth of the
 * bytes a publish allocated (async-profiler, 20 000 publishes/s). Anything outside that subset (an
 * escape, a nested value, a fraction, a leading zero, a control character, a long name) is
 * answered {@code null}: not read here, left to Jackson. So this can only give what Jackson would
 * give, and {@code FlatJsonTest} compares the two on random frames.
 */
final class FlatJson {

  /** Jackson refuses names over 50 000 chars (StreamReadConstraints); such a frame goes to Jackson. */
  private static final int MAX_NAME_CHARS = 256;
  /** 18 digits always fit a long; Jackson gives an Integer where the value fits one, else a Long. */
  private static final int MAX_DIGITS = 18;

  private FlatJson() {
  }

  /** The object {@code s} holds, as Jackson and Vert.x would build it; null where this does not read it. */
  static JsonObject object(String s) {
    int n = s.length();
    int i = skipSpace(s, 0);
    if (i >= n || s.charAt(i) != '{') {
      return null;
    }
    // a frame with an escape or a nested value is Jackson's: found before anything is allocated
    if (s.indexOf('\\', i) >= 0 || s.indexOf('{', i + 1) >= 0 || s.indexOf('[', i) >= 0) {
      return null;
    }
    JsonObject out = new JsonObject();
    i = skipSpace(s, i + 1);
    if (i < n && s.charAt(i) == '}') {
      return onlySpaceFrom(s, i + 1) ? out : null;
    }
    while (true) {
      if (i >= n || s.charAt(i) != '"') {
        return null;
      }
      int close = stringEnd(s, i + 1);
      if (close < 0 || close - i - 1 > MAX_NAME_CHARS) {
        return null;
      }
      String name = name(s, i + 1, close);
      i = skipSpace(s, close + 1);
      if (i >= n || s.charAt(i) != ':') {
        return null;
      }
      i = skipSpace(s, i + 1);
      if (i >= n) {
        return null;
      }
      char c = s.charAt(i);
      Object value;
      if (c == '"') {
        close = stringEnd(s, i + 1);
        if (close < 0) {
          return null;
        }
        value = s.substring(i + 1, close);
        i = close + 1;
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        int end = integerEnd(s, i);
        if (end < 0) {
          return null;
        }
        long v = Long.parseLong(s, i, end, 10);
        // not a conditional expression: its two boxes would be unboxed and the Integer made a Long
        if (v == (int) v) {
          value = Integer.valueOf((int) v);
        } else {
          value = Long.valueOf(v);
        }
        i = end;
      } else if (s.startsWith("true", i)) {
        value = Boolean.TRUE;
        i += 4;
      } else if (s.startsWith("false", i)) {
        value = Boolean.FALSE;
        i += 5;
      } else if (s.startsWith("null", i)) {
        value = null;
        i += 4;
      } else {
        return null; // not JSON (nested values went on at the first check): Jackson's to refuse
      }
      out.put(name, value); // a name given twice keeps the last value, as Vert.x's map does
      // what follows a value must be a comma or the end: "truex", "1.5" and "1e3" stop here
      i = skipSpace(s, i);
      if (i >= n) {
        return null;
      }
      c = s.charAt(i);
      if (c == '}') {
        return onlySpaceFrom(s, i + 1) ? out : null;
      }
      if (c != ',') {
        return null;
      }
      i = skipSpace(s, i + 1);
    }
  }

  /** The protocol's field names, given as they are rather than as a copy of the frame's chars. */
  private static final String[] KNOWN = {"type", "id", "room", "text", "key", "to", "data", "since", "history",
      "limit", "before", "after", "token"};

  private static String name(String s, int from, int to) {
    int length = to - from;
    for (String known : KNOWN) {
      if (known.length() == length && s.regionMatches(from, known, 0, length)) {
        return known;
      }
    }
    return s.substring(from, to);
  }

  /**
   * The closing quote of a string whose first char is at {@code from}; -1 at a control char or
   * the end. No escape gets here: {@link #object} sent every frame with a backslash on first.
   */
  private static int stringEnd(String s, int from) {
    for (int i = from, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c == '"') {
        return i;
      }
      if (c < 0x20) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * The end of an integer at {@code from}: {@code -?[1-9][0-9]*} or {@code 0}, at most
   * {@link #MAX_DIGITS} digits; -1 for anything else, {@code -0} included (left to Jackson).
   */
  private static int integerEnd(String s, int from) {
    int n = s.length();
    int i = from;
    if (s.charAt(i) == '-') {
      i++;
    }
    int first = i;
    while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    int digits = i - first;
    if (digits == 0 || digits > MAX_DIGITS || (s.charAt(first) == '0' && (digits > 1 || first > from))) {
      return -1;
    }
    return i;
  }

  /** JSON's whitespace: space, tab, line feed, carriage return; nothing else. */
  private static int skipSpace(String s, int from) {
    int i = from;
    for (int n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        break;
      }
    }
    return i;
  }

  private static boolean onlySpaceFrom(String s, int from) {
    return skipSpace(s, from) == s.length();
  }
}
