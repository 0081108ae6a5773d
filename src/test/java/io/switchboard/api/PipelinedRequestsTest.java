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

  @Test
  void aClientThatSendsManyRequestsAndReadsNothingIsAnsweredAsItReads(Vertx vertx) throws Exception {
    try (TestCluster cluster = TestCluster.start(1, Map.of());
         Socket socket = new Socket()) {
      NodeMetrics metrics = cluster.node(0).services().metrics();
      socket.setReceiveBufferSize(16 * 1024); // before the connect: the window it offers
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), cluster.port(0)));
      socket.setSoTimeout(30_000);
      double before = metrics.httpRequestsTotal();
      byte[] request = ("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] all = new byte[request.length * REQUESTS];
      for (int i = 0; i < REQUESTS; i++) {
        System.arraycopy(request, 0, all, i * request.length, request.length);
      }
      socket.getOutputStream().write(all);
      socket.getOutputStream().flush();

      // the node takes requests up until the sockets between it and this client are full
      long taken = Await.steady(vertx, () -> (long) (metrics.httpRequestsTotal() - before), 100, 5, 200);
      assertTrue(taken > 0 && taken < REQUESTS / 2, taken + " of " + REQUESTS + " requests answered to a client that read none");

      // and reading, the client gets every answer
      int answers = countAnswers(socket.getInputStream(), REQUESTS);
      assertEquals(REQUESTS, answers);
      assertEquals(REQUESTS, metrics.httpRequestsTotal() - before, 0.0);
    }
  }

  /** Reads until {@code expected} status lines have come. */
  private static int countAnswers(InputStream in, int expected) throws java.io.IOException {
    byte[] status = "HTTP/1.1 200 OK".getBytes(StandardCharsets.US_ASCII);
    byte[] buf = new byte[64 * 1024];
    int matched = 0;
    int count = 0;
    while (count < expected) {
      int n = in.read(buf);
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
