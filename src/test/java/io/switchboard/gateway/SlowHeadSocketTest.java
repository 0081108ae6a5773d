package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A client that trickles its first request's head a byte at a time (slowloris) is cut at
 * {@link HeadDeadline#LIMIT_MS}, though every byte resets the idle timeout; a connection whose
 * request came whole stays open, keep-alive, for its next one, and so do a WebSocket and the
 * connections whose upgrade Vert.x refused itself.
 */
@ExtendWith(VertxExtension.class)
class SlowHeadSocketTest {

  @Test
  void aHeadTrickledAByteAtATimeIsCutAtTheLimit(Vertx vertx) throws IOException {
    try (TestCluster cluster = TestCluster.start(1, Map.of());
         Socket whole = connect(cluster.port(0))) {
      OutputStream wholeOut = whole.getOutputStream();
      wholeOut.write(request(cluster.port(0)));
      wholeOut.flush();
      assertTrue(readResponse(whole).startsWith("HTTP/1.1 200"), "a whole request is answered");
      WsClient session = WsClient.open(vertx, cluster.port(0), Tokens.user("patient"));
      // upgrades that Vert.x answers itself, with no handler of the gateway's called: their heads
      // came in full, and their connections stay for a next request like any other
      Socket badVersion = connect(cluster.port(0));
      Socket badMethod = connect(cluster.port(0));
      badVersion.getOutputStream().write(upgrade("GET", "99", cluster.port(0)));
      badMethod.getOutputStream().write(upgrade("POST", "13", cluster.port(0)));
      assertTrue(readResponse(badVersion).startsWith("HTTP/1.1 426"), "an unknown version is refused");
      assertTrue(readResponse(badMethod).startsWith("HTTP/1.1 405"), "a POST upgrade is refused");

      // connected after the others are up: the limit runs from its accept, and so does the clock
      Socket slow = connect(cluster.port(0));
      long start = System.nanoTime();
      OutputStream out = slow.getOutputStream();
      byte[] head = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
      slow.setSoTimeout(500);
      boolean cut = false;
      // a byte every half second, for up to twice the limit: far more than the idle timeout's 10 s
      for (int i = 0; i < 4 * HeadDeadline.LIMIT_MS / 1_000 && !cut; i++) {
        try {
          out.write(i < head.length ? head[i] : 'x');
          out.flush();
          cut = slow.getInputStream().read() == -1;
        } catch (SocketTimeoutException stillOpen) {
          // nothing to read: the server still waits for the rest of the head
        } catch (IOException reset) {
          cut = true;
        }
      }
      long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      slow.close();
      assertTrue(cut, "the trickling connection was never cut");
      assertTrue(waited >= HeadDeadline.LIMIT_MS - 1_000, "cut at the limit, not before: " + waited + " ms");

      wholeOut.write(request(cluster.port(0)));
      wholeOut.flush();
      assertTrue(readResponse(whole).startsWith("HTTP/1.1 200"), "the keep-alive connection still serves");
      assertEquals("joined", session.join("lobby").getString("type"), "the WebSocket still serves");
      for (Socket refused : new Socket[] {badVersion, badMethod}) {
        refused.getOutputStream().write(request(cluster.port(0)));
        assertTrue(readResponse(refused).startsWith("HTTP/1.1 200"), "a refused upgrade's connection still serves");
        refused.close();
      }
    }
  }

  private static Socket connect(int port) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(15_000);
    return socket;
  }

  private static byte[] upgrade(String method, String version, int port) {
    return (method + " /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: " + version + "\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] request(int port) {
    return ("GET /health HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The status line and headers of one response, and its body by Content-Length. */
  private static String readResponse(Socket socket) throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      assertTrue(b != -1, "closed before a response: " + head);
      head.append((char) b);
    }
    int length = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(15).trim());
      }
    }
    assertEquals(length, in.readNBytes(length).length);
    return head.toString();
  }
}
