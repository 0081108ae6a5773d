package io.switchboard.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A server frame encoded to UTF-8 once per node (DESIGN property 3). Every socket that gets it
 * writes a {@link #duplicate()} of the same bytes: nothing is copied or encoded again per member.
 * Each write gets its own buffer around the array, so a write's release cannot spoil the next.
 * Just the array is kept (not a buffer and its views): frames live in the recent window past a
 * young GC, and every object there is copied by it.
 */
public final class EncodedFrame {

  private final byte[] bytes;

  private EncodedFrame(byte[] bytes) {
    this.bytes = bytes;
  }

  public static EncodedFrame of(String json) {
    return new EncodedFrame(json.getBytes(StandardCharsets.UTF_8));
  }

  /** A buffer for one write, with its own indexes and reference count; safe to take on any thread. */
  public ByteBuf duplicate() {
    return Unpooled.wrappedBuffer(bytes);
  }

  /** As {@link #duplicate()}, for {@code length} bytes from {@code offset}: the whole frame, or one fragment of a large one. */
  public ByteBuf slice(int offset, int length) {
    return Unpooled.wrappedBuffer(bytes, offset, length);
  }

  public int length() {
    return bytes.length;
  }

  /** The JSON text (for tests and logs; the write path never decodes). */
  public String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return text();
  }
}
