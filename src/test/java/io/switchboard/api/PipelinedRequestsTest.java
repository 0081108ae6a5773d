package io.switchboard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.ops.NodeMetrics;
import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * HTTP/1.1 pipelining from a client that does not read: the node answers as fast as the client
 * reads, and holds no more than its socket does. Before, Vert.x took up each next request as
 * soon as the last answer was queued, and thousands of GET /metrics sent in one write (30 bytes
 * each, tens of kilobytes of answer) were all answered into the node's heap.
 */
@ExtendWith(VertxExtension.class)
class PipelinedRequestsTest {

  private static final int REQUESTS = 1_000;
  /** Small answers: more than the kernel's socket buffers on loopback take (several MB). */
  private static final int MANY = 40_000;

  @Test
  void aClientThatSendsManyRequestsAndReadsNothingIsAnsweredAsItReads(Vertx vertx) throws Exception {
    answeredAsItReads(vertx, "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", REQUESTS, "HTTP/1.1 200 OK");
  }

  /**
   * Any method without a body waits its turn, not GET alone: DELETEs were all answered into the
   * heap. Their answers are small, so there are more of them than the sockets between hold.
   */
  @Test
  void requestsOfOtherMethodsWithoutABodyAreAnsweredAsItReads(Vertx vertx) throws Exception {
    answeredAsItReads(vertx, "DELETE /nothing/here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", MANY, "HTTP/1.1 404 Not Found");
  }

  /**
   * A request with a body cannot wait for the connection to drain (its body would be lost before
   * the body handler): once the client has stopped reading, the node closes the connection rather
   * than answer it into its heap.
   */
  @Test
  void requestsWithABodyToAClientThatReadsNothingCloseTheConnection(Vertx vertx) throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of());
         Socket socket = connected(cluster)) {
      NodeMetrics metrics = cluster.node(0).services().metrics();
      double before = metrics.httpRequestsTotal();
      String body = "{\"user\":\"piper\"}";
      send(socket, "POST /api/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\n\r\n" + body, MANY);
      long taken = Await.steady(vertx, () -> (long) (metrics.httpRequestsTotal() - before), 100, 5, 200);
      assertTrue(taken > 0 && taken < MANY / 2, taken + " of " + MANY + " requests answered to a client that read none");
      int answers = countAnswers(socket.getInputStream(), MANY, "HTTP/1.1 200 OK");
      assertTrue(answers < MANY / 2, answers + " answers, then the connection closed");
    }
  }

  private void answeredAsItReads(Vertx vertx, String request, int count, String status) throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of());
         Socket socket = connected(cluster)) {
      NodeMetrics metrics = cluster.node(0).services().metrics();
      double before = metrics.httpRequestsTotal();
      send(socket, request, count);

      // the node takes requests up until the sockets between it and this client are full
      long taken = Await.steady(vertx, () -> (long) (metrics.httpRequestsTotal() - before), 100, 5, 200);
      assertTrue(taken > 0 && taken < count / 2, taken + " of " + count + " requests answered to a client that read none");

      // and reading, the client gets every answer
      int answers = countAnswers(socket.getInputStream(), count, status);
      assertEquals(count, answers);
      assertEquals(count, metrics.httpRequestsTotal() - before, 0.0);
    }
  }

  private static Socket connected(TestCluster cluster) throws java.io.IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(16 * 1024); // before the connect: the window it offers
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), cluster.port(0)));
    socket.setSoTimeout(30_000);
    return socket;
  }

  /**
   * {@code count} times {@code request}, in one write from another thread: a node that holds
   * requests reads no more until this client reads, and a node that closes fails the write.
   */
  private static void send(Socket socket, String request, int count) {
    byte[] one = request.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[one.length * count];
    for (int i = 0; i < count; i++) {
      System.arraycopy(one, 0, all, i * one.length, one.length);
    }
    Thread writer = new Thread(() -> {
      try {
        socket.getOutputStream().write(all);
        socket.getOutputStream().flush();
      } catch (java.io.IOException closed) {
        // the node closed the connection, or the test ended
      }
    }, "pipelining-client");
    writer.setDaemon(true);
    writer.start();
  }

  /** Reads until {@code expected} status lines have come, or the connection closed. */
  private static int countAnswers(InputStream in, int expected, String statusLine) throws java.io.IOException {
    byte[] status = statusLine.getBytes(StandardCharsets.US_ASCII);
    byte[] buf = new byte[64 * 1024];
    int matched = 0;
    int count = 0;
    while (count < expected) {
      int n;
      try {
        n = in.read(buf);
      } catch (java.net.SocketException reset) {
        break; // closed by the node with requests of ours unread
      }
      if (n < 0) {
        break;
      }
      for (int i = 0; i < n; i++) {
        matched = buf[i] == status[matched] ? matched + 1 : (buf[i] == status[0] ? 1 : 0);
        if (matched == status.length) {
          count++;
          matched = 0;
        }
      }
    }
    return count;
  }
}
