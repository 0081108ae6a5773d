package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** An admin's kick reason goes into the log: one short line, whatever it holds. */
class ClusterAdminTest {

  @Test
  void aKickReasonIsLoggedAsOneShortLine() {
    assertEquals("spam  12:00:00.000 INFO forged", ClusterAdmin.loggable("spam\r\n12:00:00.000 INFO forged"));
    assertEquals("x".repeat(200) + "…", ClusterAdmin.loggable("x".repeat(5_000)));
    assertEquals("by root: 🙂 ok", ClusterAdmin.loggable("by root: 🙂 ok"));
  }
}
