package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplyBudgetTest {

  @Test
  void countsUtf8BytesAsTheSocketWillCarryThem() {
    for (String s : List.of("", "plain", "é", "日本語", "😀 smile", "mixed é 日 😀 x")) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, ReplyBudget.utf8Length(s), s);
    }
  }

  @Test
  void keepsTheNewestOrTheOldestThatFitAndAlwaysOne() {
    ReplyBudget budget = new ReplyBudget(20); // 10 bytes
    List<String> messages = List.of("aaaa", "bbbb", "cccc", "dddd");
    assertEquals(List.of("cccc", "dddd"), budget.newest(messages));
    assertEquals(List.of("aaaa", "bbbb"), budget.oldest(messages));
    List<String> huge = List.of("x".repeat(50), "y".repeat(50));
    assertEquals(List.of("y".repeat(50)), budget.newest(huge));
    assertEquals(List.of("x".repeat(50)), budget.oldest(huge));
    assertEquals(messages, new ReplyBudget(1_000).newest(messages));
  }
}
