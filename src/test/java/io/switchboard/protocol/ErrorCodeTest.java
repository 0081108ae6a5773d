package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The event-bus failure codes are a published contract (README): they must never move. */
class ErrorCodeTest {

  @Test
  void eachCodeKeepsItsNumberAndTheNumberLeadsBack() {
    Map<String, Integer> expected = new LinkedHashMap<>();
    String[] wires = {"bad_request", "unknown_type", "forbidden", "not_member", "too_large", "limit", "rate_limited",
        "token_expired", "unavailable", "internal"};
    for (int i = 0; i < wires.length; i++) {
      expected.put(wires[i], i);
    }
    Map<String, Integer> actual = new LinkedHashMap<>();
    Arrays.stream(ErrorCode.values()).forEach(c -> actual.put(c.wire(), c.failureCode()));
    assertEquals(expected, actual);
    for (ErrorCode code : ErrorCode.values()) {
      assertEquals(code, ErrorCode.ofFailureCode(code.failureCode()));
    }
    assertEquals(ErrorCode.INTERNAL, ErrorCode.ofFailureCode(-1));
    assertEquals(ErrorCode.INTERNAL, ErrorCode.ofFailureCode(404));
  }
}
