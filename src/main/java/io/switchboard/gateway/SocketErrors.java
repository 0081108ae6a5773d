package io.switchboard.gateway;

import io.switchboard.protocol.CloseCode;

/** What a socket's error means: whether it is worth a warning, and the close code it calls for. */
final class SocketErrors {

  private SocketErrors() {
  }

  /**
   * Whether a socket error is more than a peer that went (an I/O error, Vert.x's "closed", a
   * request cut off) or sent what the limits refuse: such an error may have lost a frame, so it
   * is logged as a warning. Not what HTTP's decoder refused (a TLS hello on the plain port, a
   * scanner's junk: Netty's decoder exceptions, and its IllegalArgumentException for a bad
   * version, header or length): the peer was answered 400 and it is its fault, not the node's.
   * Those were a warning with a stack trace each, every second a scanner kept at it.
   */
  static boolean unexpected(Throwable e) {
    if (closeCodeFor(e) != null || e instanceof io.vertx.core.VertxException
        || e instanceof io.netty.handler.codec.PrematureChannelClosureException
        || e instanceof io.netty.handler.codec.DecoderException || e instanceof IllegalArgumentException) {
      return false;
    }
    // an I/O error wrapped by a decoder too (TLS: a DecoderException around an SSLException)
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.io.IOException) {
        return false;
      }
    }
    return true;
  }

  /** The close code for a socket error: 1009 for too big, 1002 for broken framing, null for others. */
  static CloseCode closeCodeFor(Throwable e) {
    if (e instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException c) {
      return c.closeStatus() != null && c.closeStatus().code() == CloseCode.MESSAGE_TOO_BIG.code()
          ? CloseCode.MESSAGE_TOO_BIG : CloseCode.PROTOCOL_ERROR;
    }
    // Vert.x's own aggregation of a fragmented message over the message size limit, or a
    // compressed frame that inflates past it
    boolean tooBig = (e instanceof IllegalStateException && e.getMessage() != null
        && e.getMessage().contains("max message size")) || InflateLimit.exceeded(e);
    return tooBig ? CloseCode.MESSAGE_TOO_BIG : null;
  }
}
