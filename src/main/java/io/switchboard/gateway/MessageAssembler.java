package io.switchboard.gateway;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;

/**
 * Joins a session's frames into messages, in place of Vert.x's aggregator.
 *
 * <p>Vert.x 5.1's aggregator ({@code WebSocketImplBase.FrameAggregator}) takes a continuation
 * only while the message it holds has bytes, and keeps an empty first fragment as a buffer that
 * cannot grow: a message that began with an empty fragment (RFC 6455 allows one; a client that
 * streams may send it) was dropped, and every text message after it on that connection failed to
 * append, without a word to the client. Here a message is its frames' bytes as they came, under
 * {@code maxBytes}. A message in one frame, nearly all of them, is handed on as it is: an
 * assembler exists only while a fragmented message comes in.
 */
final class MessageAssembler {

  /** Where a session's whole messages go: one for all sessions, each call naming its own. */
  interface Sink<S> {
    void text(S session, String text);

    void binary(S session, Buffer data);

    /** The message being gathered passed {@code maxBytes}. */
    void tooBig(S session);
  }

  private final boolean text;
  private final Buffer gathered = Buffer.buffer();

  private MessageAssembler(boolean text) {
    this.text = text;
  }

  /**
   * Takes one frame off the socket; the assembler of the message still coming in after it, or
   * null. Control frames (ping, pong, close), which may come between fragments, change nothing;
   * Netty's decoder has already refused fragments out of order. Text is decoded once whole, so a
   * character split between fragments stays one (bytes that are not UTF-8 read as U+FFFD, as
   * Vert.x read them).
   *
   * @param current the assembler that the previous frame returned
   */
  static <S> MessageAssembler take(MessageAssembler current, WebSocketFrame f, int maxBytes, Sink<S> sink, S session) {
    switch (f.type()) {
      case TEXT, BINARY -> {
        if (f.isFinal()) {
          // Netty's decoder bounds a frame as it came; inflated, it may be a byte past the bound
          // (InflateLimit lets it be, so that a message of exactly maxBytes still inflates)
          if (f.binaryData().length() > maxBytes) {
            sink.tooBig(session);
          } else {
            deliver(f.isText(), f.binaryData(), sink, session);
          }
          return null;
        }
        return new MessageAssembler(f.isText()).add(f, maxBytes, sink, session);
      }
      case CONTINUATION -> {
        // none: the message it belongs to was too big, and its session is ending
        return current == null ? null : current.add(f, maxBytes, sink, session);
      }
      default -> {
        return current;
      }
    }
  }

  private <S> MessageAssembler add(WebSocketFrame f, int maxBytes, Sink<S> sink, S session) {
    gathered.appendBuffer(f.binaryData());
    if (gathered.length() > maxBytes) {
      sink.tooBig(session);
      return null;
    }
    if (f.isFinal()) {
      deliver(text, gathered, sink, session);
      return null;
    }
    return this;
  }

  private static <S> void deliver(boolean text, Buffer data, Sink<S> sink, S session) {
    if (text) {
      sink.text(session, data.toString(java.nio.charset.StandardCharsets.UTF_8));
    } else {
      sink.binary(session, data);
    }
  }
}
