package io.switchboard.room;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * A server frame encoded to UTF-8 once per node (DESIGN property 3). Every socket that gets it
 * writes a {@link #duplicate()} of the same bytes: nothing is copied or encoded again per member,
 * and the bytes are never released, so no write can spoil them for the next one.
 */
public final class EncodedFrame {

  private final ByteBuf bytes;

  private EncodedFrame(ByteBuf bytes) {
    this.bytes = bytes;
  }

  public static EncodedFrame of(String json) {
    return new EncodedFrame(Unpooled.unreleasableBuffer(
        Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)).asReadOnly()));
  }

  /** A view for one write, with its own reader index; safe to take on any thread. */
  public ByteBuf duplicate() {
    return bytes.duplicate();
  }

  public int length() {
    return bytes.readableBytes();
  }

  /** The JSON text (for tests and logs; the write path never decodes). */
  public String text() {
    return bytes.toString(bytes.readerIndex(), bytes.readableBytes(), StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return text();
  }
}
