package io.switchboard.protocol;

/** One entry of a members list: a user id and its display name. */
public record Member(String user, String name) {

  /** {@code {"user":"","name":""},}: what an entry costs besides its two strings. */
  private static final int JSON_BYTES = 24;

  /** The bytes this entry takes in a members list, as UTF-8 JSON (its strings unescaped). */
  public long jsonBytes() {
    return jsonBytes(user, name);
  }

  public static long jsonBytes(String user, String name) {
    return JSON_BYTES + Utf8.length(user) + Utf8.length(name);
  }
}
