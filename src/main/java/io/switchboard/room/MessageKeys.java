package io.switchboard.room;

/**
 * The append ids of messages their senders named by a key, so that one sent again is found
 * stored instead of stored twice (see {@link RoomStore#append}). Pure functions: any thread.
 */
final class MessageKeys {

  private MessageKeys() {
  }

  /**
   * The append id of a message its sender named {@code key} (0 for none): the same for every
   * sending of it. Another user's key, the same key in another room, or the same key with other
   * text or data (a client that reuses its keys) names another message: what is sent again is
   * stored once, and nothing new is ever taken for what was sent before.
   */
  static long keyId(String user, String room, String key, String text, io.vertx.core.json.JsonObject data) {
    if (key == null) {
      return 0;
    }
    byte[] digest;
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      // what the message says, not how (the display name of the moment, data's field order);
      // its UTF-16 code units as they are: an encoder would turn each lone surrogate into '?'
      for (String part : new String[] {user, room, key, text == null ? "\u0000" : text, data == null ? "" : canonical(data)}) {
        java.nio.ByteBuffer units = java.nio.ByteBuffer.allocate(2 * part.length() + 4);
        part.chars().forEach(c -> units.putChar((char) c));
        units.putInt(part.length()); // no run of parts reads as another
        sha.update(units.array());
      }
      digest = sha.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every Java has SHA-256
    }
    long id = java.nio.ByteBuffer.wrap(digest).getLong();
    return id == 0 ? 1 : id;
  }

  /** {@code value} as JSON with every object's fields sorted by name: equal for equal values. */
  static String canonical(Object value) {
    if (value instanceof io.vertx.core.json.JsonObject o) {
      StringBuilder out = new StringBuilder("{");
      o.fieldNames().stream().sorted().forEach(name -> out.append(out.length() > 1 ? "," : "")
          .append(io.vertx.core.json.Json.encode(name)).append(':').append(canonical(o.getValue(name))));
      return out.append('}').toString();
    }
    if (value instanceof io.vertx.core.json.JsonArray a) {
      StringBuilder out = new StringBuilder("[");
      for (int i = 0; i < a.size(); i++) {
        out.append(i > 0 ? "," : "").append(canonical(a.getValue(i)));
      }
      return out.append(']').toString();
    }
    return io.vertx.core.json.Json.encode(value);
  }
}
