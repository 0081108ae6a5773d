package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TextFrames;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.net.impl.VertxConnection;
import io.vertx.core.net.impl.VertxHandler;
import io.vertx.junit5.VertxExtension;
import java.lang.reflect.Field;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The socket's cross-thread write queue is taken away on its own loop, and frames still arrive,
 * all of them and in order; off the loop nothing is touched. Should a Vert.x upgrade rename what
 * this reaches into, the first assertion fails here instead of the idle memory growing unseen.
 */
@ExtendWith(VertxExtension.class)
class DirectSocketWritesTest {

  private static final int FRAMES = 500;

  @Test
  void aSocketOnItsOwnLoopWritesStraightToTheChannel(Vertx vertx) {
    assertTrue(DirectSocketWrites.available(), "this Vert.x still has what DirectSocketWrites needs");
    Promise<String> queueAfter = Promise.promise();
    HttpServer server = Await.of(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setStrictThreadMode(true))
        .webSocketHandler(ws -> {
          String before = queueOf(ws);
          boolean applied = DirectSocketWrites.apply(ws);
          queueAfter.complete(before + " " + applied + " " + queueOf(ws));
          for (int i = 0; i < FRAMES / 2; i++) {
            ws.writeTextMessage("m" + i);
          }
          // later writes, from a timer on the same loop, go the same way
          vertx.setTimer(10, t -> {
            for (int i = FRAMES / 2; i < FRAMES; i++) {
              ws.writeTextMessage("m" + i);
            }
          });
        })
        .listen(0));
    List<String> got = TextFrames.receive(vertx, server.actualPort(), FRAMES);
    assertEquals("InternalMessageChannel true DirectOutboundMessageQueue", Await.of(queueAfter.future()));
    for (int i = 0; i < FRAMES; i++) {
      assertEquals("m" + i, got.get(i));
    }
  }

  @Test
  void offItsLoopTheSocketKeepsVertxQueue(Vertx vertx) {
    Promise<String> queueAfter = Promise.promise();
    HttpServer server = Await.of(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1"))
        .webSocketHandler(ws -> {
          Future<Boolean> applied = vertx.executeBlocking(() -> DirectSocketWrites.apply(ws));
          applied.onComplete(ar -> {
            queueAfter.complete(ar.result() + " " + queueOf(ws));
            for (int i = 0; i < FRAMES; i++) {
              ws.writeTextMessage("m" + i);
            }
          });
        })
        .listen(0));
    assertEquals(FRAMES, TextFrames.receive(vertx, server.actualPort(), FRAMES).size());
    String after = Await.of(queueAfter.future());
    assertFalse(after.startsWith("true"), after);
    assertEquals("false InternalMessageChannel", after);
  }

  private static String queueOf(ServerWebSocket ws) {
    VertxConnection conn = ((VertxHandler<?>) ((WebSocketInternal) ws).channelHandlerContext().handler()).getConnection();
    try {
      Field queue = VertxConnection.class.getDeclaredField("outboundMessageQueue");
      queue.setAccessible(true);
      return queue.get(conn).getClass().getSimpleName();
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }
}
