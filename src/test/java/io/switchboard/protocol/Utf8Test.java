package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class Utf8Test {

  @Test
  void countsUtf8BytesAsTheSocketWillCarryThem() {
    for (String s : List.of("", "plain", "é", "日本語", "😀 smile", "mixed é 日 😀 x")) {
      assertEquals(s.getBytes(StandardCharsets.UTF_8).length, Utf8.length(s), s);
    }
  }
}
