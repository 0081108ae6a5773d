package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.TestCluster;
import io.switchboard.support.Tokens;
import io.switchboard.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code history.size} bounds each room's log; {@code history.recoverMax} bounds recovery. */
@ExtendWith(VertxExtension.class)
class RetentionSocketTest {

  @Test
  void aRoomKeepsItsLatestMessagesAndRecoversOnlyWhatItStillHas(Vertx vertx) {
    try (TestCluster cluster = TestCluster.start(1, Map.of("history.size", 5, "history.recoverMax", 3))) {
      WsClient w = WsClient.open(vertx, cluster.port(0), Tokens.user("keeper"));
      JsonObject joined = w.join("kept");
      String epoch = joined.getString("epoch");
      for (int i = 1; i <= 8; i++) {
        w.publish("kept", "m" + i);
      }
      JsonObject history = w.request(new JsonObject().put("type", "history").put("room", "kept").put("limit", 100));
      assertEquals(List.of(4L, 5L, 6L, 7L, 8L), seqs(history.getJsonArray("messages").getList()));
      assertFalse(history.getBoolean("more"), "nothing older is retained");

      WsClient r = WsClient.open(vertx, cluster.port(0), Tokens.user("late"));
      JsonObject evicted = r.request(since(2, epoch));
      assertFalse(evicted.getBoolean("recovered"), "seq 3 is gone: cannot recover from 2");
      JsonObject tooMany = r.request(since(4, epoch));
      assertFalse(tooMany.getBoolean("recovered"), "4 missed messages > recoverMax 3");
      JsonObject ok = r.request(since(5, epoch));
      assertTrue(ok.getBoolean("recovered"));
      assertEquals(List.of(6L, 7L, 8L), seqs(ok.getJsonArray("history").getList()));
      JsonObject otherEpoch = r.request(since(7, "e-00000000"));
      assertFalse(otherEpoch.getBoolean("recovered"), "another epoch is another log");
      w.close();
      r.close();
    }
  }

  private static JsonObject since(long seq, String epoch) {
    return new JsonObject().put("type", "join").put("room", "kept").put("history", 50)
        .put("since", new JsonObject().put("seq", seq).put("epoch", epoch));
  }

  @SuppressWarnings("unchecked")
  private static List<Long> seqs(List<?> messages) {
    return messages.stream().map(m -> m instanceof JsonObject o ? o.getLong("seq")
        : new JsonObject((Map<String, Object>) m).getLong("seq")).collect(Collectors.toList());
  }
}
