package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.switchboard.support.TestCluster;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * What HTTP's decoder refuses (a TLS hello on the plain port, a scanner's junk) is answered 400
 * and is the peer's fault: no warning with a stack trace for each, as there was every second a
 * scanner kept at it. The node serves on.
 */
class JunkHttpSocketTest {

  @Test
  void junkRequestsAreAnsweredWithoutAWarning() throws Exception {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger gateway = (Logger) LoggerFactory.getLogger(GatewayVerticle.class);
    gateway.addAppender(logs);
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      int port = cluster.port(0);
      List<byte[]> junk = List.of(
          "GET / HTTP/9.x\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
          "GET / HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
          "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
          "GET / HTTP/1.1\nHost: x\n\n".getBytes(StandardCharsets.ISO_8859_1),
          new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, (byte) 0xfc, 0x03, 0x03, 0, 0, 0, '\r', '\n', '\r', '\n'});
      for (byte[] request : junk) {
        String answer = send(port, request);
        assertTrue(answer.startsWith("HTTP/1.") && answer.contains(" 400 "), new String(request, StandardCharsets.ISO_8859_1)
            + " → " + answer);
      }
      assertTrue(send(port, "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200"), "still serving");
    } finally {
      gateway.detachAppender(logs);
    }
    assertEquals(List.of(), logs.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .map(ILoggingEvent::getFormattedMessage).toList());
  }

  /** The answer's first bytes (the status line), read until the node closes or 64 bytes came. */
  private static String send(int port, byte[] request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(request);
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[64];
      int n = 0;
      for (int r; n < buffer.length && (r = in.read(buffer, n, buffer.length - n)) > 0; ) {
        n += r;
      }
      return new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
    }
  }
}
