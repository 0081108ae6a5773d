package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.Await;
import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code GET /metrics} is Prometheus text, and the counters move with traffic. */
@ExtendWith(VertxExtension.class)
class MetricsTest {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$");

  /** Every sample line of a Prometheus text exposition: "name{labels}" → value. Fails on a malformed line. */
  static Map<String, Double> scrape(WebClient http, int port) {
    HttpResponse<io.vertx.core.buffer.Buffer> r = Await.of(http.get(port, "127.0.0.1", "/metrics").send());
    assertEquals(200, r.statusCode());
    assertTrue(r.getHeader("Content-Type").startsWith("text/plain"), r.getHeader("Content-Type"));
    Map<String, Double> samples = new HashMap<>();
    for (String line : r.bodyAsString().split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertTrue(m.matches(), "not a Prometheus sample line: " + line);
      samples.put(m.group(1), Double.parseDouble(m.group(2)));
    }
    return samples;
  }

  /** The one sample of {@code name} whose labels contain every fragment. */
  static double labelled(Map<String, Double> samples, String name, String... fragments) {
    return samples.entrySet().stream()
        .filter(e -> e.getKey().startsWith(name + "{") && java.util.Arrays.stream(fragments).allMatch(e.getKey()::contains))
        .mapToDouble(Map.Entry::getValue).findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + name + " with " + java.util.Arrays.toString(fragments)));
  }

  @Test
  void countersMoveWithTraffic(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of())) {
      WebClient http = WebClient.create(vertx);
      int port = cluster.port(0);
      Map<String, Double> before = scrape(http, port);
      assertEquals(1.0, before.get("switchboard_cluster_members"));
      assertTrue(before.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "JVM metrics");
      assertTrue(before.keySet().stream().anyMatch(k -> k.startsWith("vertx_")), "Vert.x metrics");

      WsClient a = WsClient.open(vertx, port, Tokens.user("meter-a"));
      WsClient b = WsClient.open(vertx, port, Tokens.user("meter-b"));
      a.join("metered");
      b.join("metered");
      a.publish("metered", "one");
      a.publish("metered", "two");
      b.awaitMessages("metered", 2);
      a.awaitMessages("metered", 2);
      Map<String, Double> during = scrape(http, port);
      assertEquals(2.0, during.get("switchboard_connections"));
      assertEquals(1.0, during.get("switchboard_rooms"));
      assertEquals(2.0, during.get("switchboard_messages_in_total") - before.get("switchboard_messages_in_total"));
      assertEquals(4.0, during.get("switchboard_messages_out_total") - before.get("switchboard_messages_out_total"));
      assertTrue(during.get("switchboard_written_bytes_total") > 0);
      assertEquals(2.0, during.get("switchboard_publish_ack_seconds_count"));
      assertEquals(2.0, during.get("switchboard_connections_opened_total"));
      assertEquals(0.0, during.get("switchboard_fanout_dropped_total"), "a count that only grows is a counter");

      a.close();
      WsClient.Close refused = Await.of(WsClient.connect(vertx, port, "garbage")).awaitClose();
      assertEquals(1008, refused.code());
      Map<String, Double> after = scrape(http, port);
      assertEquals(1.0, labelled(after, "switchboard_connections_closed_total", "code=\"1008\"", "reason=\"unauthorized\""));
      assertEquals(1.0, labelled(after, "switchboard_connections_closed_total", "code=\"client\""));
      b.close();
      http.close();
    }
  }
}
