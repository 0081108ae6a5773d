package io.switchboard.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.junit5.VertxExtension;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test client every socket test stands on. A server's first frame (or its close) can arrive
 * in the same read as its upgrade answer; the client must keep it. Vert.x resumes a connected
 * socket before a {@code connect(...).map(...)} callback can set handlers, so such a frame was
 * handed to no handler and dropped: a test waiting for its {@code welcome} then timed out.
 */
@ExtendWith(VertxExtension.class)
class WsClientTest {

  private static final int ROUNDS = 30;
  private static final Pattern KEY = Pattern.compile("Sec-WebSocket-Key: *(\\S+)", Pattern.CASE_INSENSITIVE);

  private NetServer server;
  private final java.util.concurrent.atomic.AtomicLong served = new java.util.concurrent.atomic.AtomicLong();

  /**
   * Answers each upgrade; the first frame goes in the same write (one TCP segment on loopback),
   * in the next one, or a millisecond or two later: each a different moment of the client's
   * hand-over of a new socket to its handlers.
   */
  @BeforeEach
  void start(Vertx vertx) {
    server = Await.of(vertx.createNetServer().connectHandler(socket -> answer(vertx, socket)).listen(0, "127.0.0.1"));
  }

  private void answer(Vertx vertx, NetSocket socket) {
    Buffer request = Buffer.buffer();
    socket.handler(chunk -> {
      request.appendBuffer(chunk);
      String head = request.toString(StandardCharsets.ISO_8859_1);
      if (!head.contains("\r\n\r\n")) {
        return;
      }
      // the client's close frame (opcode 8) ends the connection, as a server would end it
      socket.handler(frame -> {
        if ((frame.getByte(0) & 0x0f) == 8) {
          socket.close();
        }
      });
      Matcher key = KEY.matcher(head);
      key.find();
      Buffer reply = Buffer.buffer("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n");
      if (head.startsWith("GET /close")) {
        byte[] reason = "refused".getBytes(StandardCharsets.UTF_8);
        reply.appendByte((byte) 0x88).appendByte((byte) (2 + reason.length)).appendShort((short) 1008).appendBytes(reason);
      } else {
        byte[] text = "{\"type\":\"welcome\"}".getBytes(StandardCharsets.UTF_8);
        Buffer frame = Buffer.buffer().appendByte((byte) 0x81).appendByte((byte) text.length).appendBytes(text);
        long way = served.getAndIncrement() % 4;
        if (way == 0) {
          reply.appendBuffer(frame);
        } else if (way == 1) {
          socket.write(reply);
          reply = frame;
        } else {
          socket.write(reply);
          vertx.setTimer(way - 1, t -> socket.write(frame));
          return;
        }
      }
      socket.write(reply);
    });
  }

  private static String accept(String key) {
    try {
      byte[] sha1 = MessageDigest.getInstance("SHA-1")
          .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterEach
  void stop() {
    Await.of(server.close());
  }

  @Test
  void aFrameThatCameWithTheUpgradeIsKept(Vertx vertx) {
    for (int round = 0; round < ROUNDS; round++) {
      WsClient c = Await.of(WsClient.connect(vertx, server.actualPort(), "/ws", MultiMap.caseInsensitiveMultiMap()));
      assertEquals("welcome", c.awaitType("welcome").getString("type"), "round " + round);
      c.close();
    }
  }

  @Test
  void aCloseThatCameWithTheUpgradeIsSeen(Vertx vertx) {
    for (int round = 0; round < ROUNDS; round++) {
      WsClient c = Await.of(WsClient.connect(vertx, server.actualPort(), "/close", MultiMap.caseInsensitiveMultiMap()));
      int r = round;
      assertEquals(1008, Await.of(c.closed().recover(e -> io.vertx.core.Future.failedFuture(new AssertionError("round " + r, e)))).code(), "round " + round);
      c.close();
    }
  }
}
