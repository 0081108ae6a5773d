package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.RawWebSocket;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code http.compression=true}: permessage-deflate works, and {@code limits.maxFrameBytes}
 * bounds a message after inflating (PROTOCOL.md section 6) without inflating more than that.
 */
class CompressionSocketTest {

  private static final int MAX_FRAME = 128 * 1024;
  static TestCluster cluster;

  @BeforeAll
  static void start() {
    cluster = TestCluster.start(1, Map.of("http.compression", true, "limits.maxFrameBytes", MAX_FRAME));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** Ping {@code id} padded with 'x' to {@code bytes} bytes, split as prefix + "x" × n + suffix. */
  private static void sendPing(RawWebSocket ws, String id, int bytes) throws Exception {
    String prefix = "{\"type\":\"ping\",\"id\":\"" + id + "\",\"pad\":\"";
    String suffix = "\"}";
    int pad = bytes - prefix.length() - suffix.length();
    ws.sendCompressed(prefix + "x".repeat(pad) + suffix, 1);
  }

  @Test
  void aCompressedMessageOfExactlyMaxFrameBytesIsServedAndOneByteMoreCloses1009() throws Exception {
    try (RawWebSocket ws = RawWebSocket.openDeflate(cluster.port(0), Tokens.user("squeezer"))) {
      assertEquals("welcome", new JsonObject(ws.readText()).getString("type"));
      sendPing(ws, "exact", MAX_FRAME);
      JsonObject pong = new JsonObject(ws.readText());
      assertEquals("pong", pong.getString("type"));
      assertEquals("exact", pong.getString("id"));
      sendPing(ws, "over", MAX_FRAME + 1);
      assertEquals(1009, ws.awaitCloseCode());
    }
  }

  /**
   * 64 MiB of one letter deflates to about 64 KiB: within the frame limit on the wire. The node
   * must stop inflating at the limit: before, it allocated the whole 64 MiB (twice over, as its
   * buffer doubled) and only then found the message too big.
   */
  @Test
  void aCompressionBombIsRefusedWithoutInflatingIt() throws Exception {
    try (RawWebSocket ws = RawWebSocket.openDeflate(cluster.port(0), Tokens.user("bomber"))) {
      assertEquals("welcome", new JsonObject(ws.readText()).getString("type"));
      long before = eventLoopAllocatedBytes();
      ws.sendCompressed("x".repeat(64 * 1024), 1024);
      assertEquals(1009, ws.awaitCloseCode());
      long allocated = eventLoopAllocatedBytes() - before;
      assertTrue(allocated < 16 * 1024 * 1024, "the event loops allocated " + allocated + " bytes for one refused frame");
    }
  }

  /** Heap bytes allocated so far by every Vert.x event loop thread of this JVM. */
  private static long eventLoopAllocatedBytes() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith("vert.x-eventloop-thread")) {
        sum += Math.max(0, threads.getThreadAllocatedBytes(t.getId()));
      }
    }
    return sum;
  }
}
