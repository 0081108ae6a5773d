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
}
