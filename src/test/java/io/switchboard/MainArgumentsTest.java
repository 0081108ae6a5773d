package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.config.ConfigException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command line takes --conf FILE and nothing else: a typo must not start a node on the defaults. */
class MainArgumentsTest {

  @Test
  void confIsTakenInBothForms() {
    assertNull(Main.confFile(new String[0]));
    assertEquals(Path.of("prod.json"), Main.confFile(new String[] {"--conf", "prod.json"}));
    assertEquals(Path.of("prod.json"), Main.confFile(new String[] {"--conf=prod.json"}));
  }

  @Test
  void anythingElseStopsTheNode() {
    for (String[] args : new String[][] {{"--confg", "prod.json"}, {"-conf", "prod.json"}, {"prod.json"},
        {"--conf"}, {"--conf", "a.json", "--conf=b.json"}}) {
      ConfigException e = assertThrows(ConfigException.class, () -> Main.confFile(args), String.join(" ", args));
      assertTrue(e.getMessage().contains("--conf"), e.getMessage());
    }
  }

  /**
   * A SIGTERM while the member still joins: Hazelcast's shutdownAll waits for the join (up to
   * 300 s by Hazelcast's own bound), and the process waited with it. Now the wait ends at the
   * stop's deadline whatever the task does.
   */
  @Test
  void aLeaveThatDoesNotEndIsLeftAtTheDeadline() throws Exception {
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(300);
    boolean ended = Main.runUntil(() -> {
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, deadline);
    assertTrue(!ended, "still running");
    assertTrue(System.nanoTime() - deadline < java.util.concurrent.TimeUnit.SECONDS.toNanos(2), "returned at the deadline");
    never.countDown();
    assertTrue(Main.runUntil(() -> { }, System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5)),
        "a task that ends is waited for");
  }
}
