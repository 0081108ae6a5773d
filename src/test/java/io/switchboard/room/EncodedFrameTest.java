package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** One encoding shared by every write: each write reads its own view and cannot spoil the next. */
class EncodedFrameTest {

  @Test
  void everyDuplicateReadsTheWholeFrameEvenAfterOthersWereConsumedAndReleased() {
    String json = "{\"type\":\"message\",\"text\":\"héllo 😀 <b>\"}";
    EncodedFrame frame = EncodedFrame.of(json);
    ByteBuf first = frame.duplicate();
    first.skipBytes(first.readableBytes());
    first.release();
    ByteBuf second = frame.duplicate();
    assertEquals(json, second.toString(StandardCharsets.UTF_8));
    assertEquals(json.getBytes(StandardCharsets.UTF_8).length, frame.length());
    assertEquals(json, frame.text());
  }
}
