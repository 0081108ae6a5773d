package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * An admin's kick reason goes into the log: one short line, whatever it holds. The nodes'
 * client lists merge into one bounded list that counts them all and names who did not answer.
 */
class ClusterAdminTest {

  @Test
  void theNodesListsMergeBoundedCountedAndSayWhoDidNotAnswer() {
    io.vertx.core.json.JsonObject a = new io.vertx.core.json.JsonObject().put("count", 3)
        .put("clients", new io.vertx.core.json.JsonArray().add("a1").add("a2").add("a3"));
    io.vertx.core.json.JsonObject b = new io.vertx.core.json.JsonObject().put("count", 5) // listed 2 of its 5
        .put("clients", new io.vertx.core.json.JsonArray().add("b1").add("b2"));
    io.vertx.core.json.JsonObject merged = ClusterAdmin.merged(
        new ClusterAdmin.Asked(java.util.List.of(a, b), java.util.List.of("n-gone")), 4);
    assertEquals(8, merged.getInteger("count"));
    assertEquals(java.util.List.of("a1", "a2", "a3", "b1"), merged.getJsonArray("clients").getList());
    assertEquals(true, merged.getBoolean("more"));
    assertEquals(java.util.List.of("n-gone"), merged.getJsonArray("unanswered").getList());
  }

  @Test
  void aKickReasonIsLoggedAsOneShortLine() {
    assertEquals("spam  12:00:00.000 INFO forged", ClusterAdmin.loggable("spam\r\n12:00:00.000 INFO forged"));
    assertEquals("x".repeat(200) + "…", ClusterAdmin.loggable("x".repeat(5_000)));
    assertEquals("by root: 🙂 ok", ClusterAdmin.loggable("by root: 🙂 ok"));
  }
}
