package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.switchboard.support.Await;
import io.switchboard.support.TextFrames;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Frames written in one turn of the loop leave with one flush at its end, in order; off the
 * loop nothing is deferred. A lost end-of-turn flush shows here as frames that never arrive.
 */
@ExtendWith(VertxExtension.class)
class TurnFlushTest {

  private static final int FRAMES = 3;

  @Test
  void framesOfOneTurnLeaveWithOneFlushAtItsEndInOrder(Vertx vertx) {
    AtomicInteger flushes = new AtomicInteger();
    Promise<String> counts = Promise.promise();
    HttpServer server = Await.of(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .webSocketHandler(ws -> {
          ((WebSocketInternal) ws).channelHandlerContext().pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) throws Exception {
              flushes.incrementAndGet();
              super.flush(ctx);
            }
          });
          TurnFlush turn = TurnFlush.forCurrentLoop(vertx.getOrCreateContext());
          TurnFlush.Pending socket = TurnFlush.pendingFor(ws);
          vertx.setTimer(20, t -> {
            int before = flushes.get();
            int deferredCount = 0;
            for (int i = 0; i < FRAMES; i++) {
              deferredCount += turn.write(socket, "m" + i) ? 1 : 0;
            }
            boolean deferred = deferredCount == FRAMES;
            int during = flushes.get() - before;
            vertx.setTimer(20, t2 -> counts.complete(deferred + " " + during + " " + (flushes.get() - before)));
          });
        })
        .listen(0));
    assertEquals(List.of("m0", "m1", "m2"), TextFrames.receive(vertx, server.actualPort(), FRAMES, counts.future()));
    assertEquals("true 0 1", Await.of(counts.future()), "deferred, no flush during the turn, one after it");
  }

  @Test
  void offTheLoopNothingIsDeferred(Vertx vertx) {
    Promise<Boolean> deferred = Promise.promise();
    HttpServer server = Await.of(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .webSocketHandler(ws -> {
          TurnFlush turn = TurnFlush.forCurrentLoop(vertx.getOrCreateContext());
          TurnFlush.Pending socket = TurnFlush.pendingFor(ws);
          vertx.executeBlocking(() -> turn.write(socket, "x"))
              .onComplete(ar -> {
                deferred.complete(ar.result());
                for (int i = 0; i < FRAMES; i++) {
                  ws.writeTextMessage("m" + i);
                }
              });
        })
        .listen(0));
    assertEquals(List.of("m0", "m1", "m2"), TextFrames.receive(vertx, server.actualPort(), FRAMES));
    assertEquals(false, Await.of(deferred.future()));
  }
}
