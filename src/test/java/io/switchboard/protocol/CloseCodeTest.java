package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * PROTOCOL.md section 6: "close codes are binding and so are the reasons". The socket tests
 * cannot always see a reason (a slow consumer that reads nothing never gets its close frame),
 * so the table is pinned here, code and reason together.
 */
class CloseCodeTest {

  @Test
  void everyCodeKeepsTheReasonOfTheProtocolsTable() {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("NORMAL", "1000 normal");
    expected.put("GOING_AWAY", "1001 going away");
    expected.put("PROTOCOL_ERROR", "1002 protocol error");
    expected.put("UNAUTHORIZED", "1008 unauthorized");
    expected.put("TOKEN_EXPIRED", "1008 token expired");
    expected.put("FORBIDDEN_ORIGIN", "1008 forbidden origin");
    expected.put("MESSAGE_TOO_BIG", "1009 message too big");
    expected.put("INTERNAL_ERROR", "1011 internal error");
    expected.put("TRY_AGAIN_LATER", "1013 try again later");
    expected.put("HEARTBEAT_TIMEOUT", "4001 heartbeat timeout");
    expected.put("SLOW_CONSUMER", "4002 slow consumer");
    expected.put("TOO_MANY_CONNECTIONS", "4003 too many connections");
    expected.put("RATE_LIMIT_ABUSE", "4008 rate limit abuse");
    expected.put("KICKED", "4009 kicked");
    Map<String, String> actual = new LinkedHashMap<>();
    Arrays.stream(CloseCode.values()).forEach(c -> actual.put(c.name(), c.code() + " " + c.reason()));
    assertEquals(expected, actual);
  }
}
