package io.switchboard.gateway;

import io.switchboard.protocol.CloseCode;
import io.switchboard.protocol.Command;
import io.switchboard.protocol.CommandDecoder;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.FrameEncoder;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a gateway's sessions' whole messages go (from {@link MessageAssembler}): each is decoded
 * and queued as a step of its session, or answered at once. One per gateway verticle, on its
 * event loop.
 */
final class InboundFrames implements MessageAssembler.Sink<ClientSession> {

  /** The gateway's: a connection's unexpected failure is told with the other lines of its life. */
  private static final Logger LOG = LoggerFactory.getLogger(GatewayVerticle.class);
  /**
   * Tests only: a text frame equal to this system property makes the handler fail, to prove that
   * such a failure closes just that connection (1011). Unset in any real deployment.
   */
  private static final String FAULT_FRAME = System.getProperty("switchboard.test.faultFrame");

  private final CommandDecoder decoder;
  private final SessionCommands commands;

  InboundFrames(CommandDecoder decoder, SessionCommands commands) {
    this.decoder = decoder;
    this.commands = commands;
  }

  @Override
  public void text(ClientSession s, String text) {
    guarded(s, () -> onText(s, text));
  }

  @Override
  public void binary(ClientSession s, Buffer data) {
    guarded(s, () -> onBinary(s));
  }

  @Override
  public void tooBig(ClientSession s) {
    s.end(CloseCode.MESSAGE_TOO_BIG);
  }

  /** A failure in one connection's handling closes that connection only (1011), logged with its session. */
  private static void guarded(ClientSession s, Runnable handler) {
    try {
      handler.run();
    } catch (RuntimeException e) {
      LOG.error("session {} ({}): unexpected failure, closing it with 1011", s.id, s.user(), e);
      s.end(CloseCode.INTERNAL_ERROR);
    }
  }

  private void onText(ClientSession s, String text) {
    if (FAULT_FRAME != null && FAULT_FRAME.equals(text)) {
      throw new IllegalStateException("fault injected by a test (switchboard.test.faultFrame)");
    }
    Decoded decoded = decoder.decode(text);
    if (decoded instanceof Decoded.Rejected r) {
      s.steps.enqueue(text.length(), () -> {
        s.send(FrameEncoder.error(r.id(), r.code(), r.message(), -1));
        return Future.succeededFuture();
      });
    } else if (decoded instanceof Command.Ping || decoded instanceof Command.Heartbeat
        || decoded instanceof Command.Refresh) {
      // answered as read, not behind the steps queued before it: the page's ping tells a dead
      // link from a live one, and a publish waiting out a stalled partition is not a dead link;
      // a refresh sent before its token expires must not wait past the expiry (closed 1008)
      commands.execute(s, (Command) decoded);
    } else if (decoded instanceof Command.Publish publish && publish.key() == null) {
      s.steps.enqueuePublish(publish, SessionSteps.queuedCost(text, publish), batch -> commands.publishAll(s, batch));
    } else {
      Command command = (Command) decoded;
      s.steps.enqueue(SessionSteps.queuedCost(text, command), () -> commands.execute(s, command));
    }
  }

  private static void onBinary(ClientSession s) {
    s.steps.enqueue(() -> {
      s.send(FrameEncoder.error(null, ErrorCode.BAD_REQUEST, "frames must be text frames holding JSON", -1));
      return Future.succeededFuture();
    });
  }
}
