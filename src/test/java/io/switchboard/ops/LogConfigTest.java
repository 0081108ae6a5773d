package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The node's logback.xml, as the jar ships it: the loggers that would flood are held back. */
class LogConfigTest {

  @Test
  void theClusteredEventBusWritesNoLinePerMessageToANodeThatWent() throws Exception {
    Map<String, String> levels = levels(Path.of("src/main/resources/logback.xml"));
    // Vert.x warns, with a stack trace, for each message it cannot connect to a node for: every
    // frame of every busy room to a node that died, until it is declared dead (Fanout says it once a second)
    assertEquals("ERROR", levels.get("io.vertx.core.eventbus.impl.clustered.ClusteredEventBus"));
    assertEquals("WARN", levels.get("com.hazelcast"));
    assertEquals("ERROR", levels(Path.of("src/test/resources/logback-test.xml"))
        .get("io.vertx.core.eventbus.impl.clustered.ClusteredEventBus"), "the tests' own configuration too");
  }

  private static Map<String, String> levels(Path file) throws Exception {
    NodeList loggers = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile())
        .getElementsByTagName("logger");
    Map<String, String> levels = new HashMap<>();
    for (int i = 0; i < loggers.getLength(); i++) {
      Element logger = (Element) loggers.item(i);
      levels.put(logger.getAttribute("name"), logger.getAttribute("level"));
    }
    return levels;
  }
}
