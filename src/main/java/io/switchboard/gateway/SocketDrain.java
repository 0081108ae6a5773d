package io.switchboard.gateway;

import io.netty.channel.Channel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.function.BooleanSupplier;

/**
 * Whether a session's socket has sent enough of what it holds for the session's next step to
 * run, and the wait until it has (see {@link #drained}).
 */
final class SocketDrain {

  /**
   * How soon a step waiting for the socket to drain looks again: first, and at most (doubling in
   * between: thousands of clients that stopped reading at once must not keep a loop busy).
   */
  private static final long POLL_MS = 20;
  private static final long POLL_MAX_MS = 1_000;

  /** Null in tests that drive a session without a socket: always drained. */
  private final Channel channel;
  /** The gateway's context the session was opened on; null in tests that drive it directly. */
  private final Context context;
  private final BooleanSupplier closed;
  private final Runnable slowConsumer;
  /** See {@link #limit}: the heartbeat's timeout, set by the gateway. */
  private long limitMs = 60_000;

  /** {@code slowConsumer}: ends the session as one (4002), once it read too little for too long. */
  SocketDrain(Channel channel, Context context, BooleanSupplier closed, Runnable slowConsumer) {
    this.channel = channel;
    this.context = context;
    this.closed = closed;
    this.slowConsumer = slowConsumer;
  }

  /** How long a step waits for the socket to drain before the client is closed as a slow consumer. */
  void limit(long ms) {
    this.limitMs = ms;
  }

  /**
   * Resolves once the socket holds no more than an eighth of {@code limits.outboundBytes} unsent
   * (its high-water mark). A step's reply may take three quarters of it ({@link ReplyBudget}:
   * half for messages, a quarter for members), and the next step ran as soon as the cluster
   * answered: a page rejoining fifty rooms after a reconnect had their replies pile up past the
   * limit on a slow link and was closed as a slow consumer (4002), to come back and do it again.
   * While a step waits, no more frames are read (the queue fills and the socket pauses), and the
   * heartbeat counts that as life; so a client that reads too little for {@link #limitMs} is
   * closed as the slow consumer it is.
   */
  Future<Void> drained() {
    if (channel == null || unsent() <= drainedAt()) {
      return Future.succeededFuture();
    }
    // on the session's context, where await completes it and the next step runs
    Promise<Void> done = io.switchboard.ops.Promises.on(context);
    await(done, POLL_MS, io.switchboard.ops.Clocks.monotonicMillis() + limitMs);
    return done.future();
  }

  private void await(Promise<Void> done, long ms, long giveUpAt) {
    // looked at on the session's context: the steps after it, and an end for a slow consumer,
    // run there as they would without the wait
    channel.eventLoop().schedule(() -> onContext(() -> {
      boolean gone = closed.getAsBoolean() || !channel.isActive();
      if (!gone && unsent() > drainedAt() && io.switchboard.ops.Clocks.monotonicMillis() >= giveUpAt) {
        slowConsumer.run();
        gone = true;
      }
      if (gone || unsent() <= drainedAt()) {
        done.complete();
      } else {
        await(done, Math.min(POLL_MAX_MS, 2 * ms), giveUpAt);
      }
    }), ms, java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  private void onContext(Runnable task) {
    if (context == null) {
      task.run();
    } else {
      context.runOnContext(v -> task.run());
    }
  }

  private long drainedAt() {
    return channel.config().getWriteBufferHighWaterMark() / 8;
  }

  private long unsent() {
    io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    return buffer == null ? 0 : buffer.totalPendingWriteBytes();
  }
}
