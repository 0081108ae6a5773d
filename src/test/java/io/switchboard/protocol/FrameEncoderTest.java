package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 2: every server frame is one JSON object with the fields it shows. */
class FrameEncoderTest {

  private static final String TS = "2026-01-02T03:04:05.678Z";

  private static JsonObject parse(String frame) {
    return new JsonObject(frame);
  }

  private static List<String> fieldOrder(String frame) {
    return new ArrayList<>(parse(frame).fieldNames());
  }

  private static String message(String text, JsonObject data) {
    return FrameEncoder.message("lobby", "alice", "Alice", null, text, data, false, TS).withSeq(58);
  }

  // ---- ids

  @Test
  void stringIdIsEchoed() {
    JsonObject f = parse(FrameEncoder.pong("req-1", TS));
    assertEquals("req-1", f.getValue("id"));
  }

  @Test
  void longIdIsEchoedAsANumber() {
    JsonObject f = parse(FrameEncoder.pong(9_007_199_254_740_991L, TS));
    assertEquals(9_007_199_254_740_991L, ((Number) f.getValue("id")).longValue());
  }

  @Test
  void absentIdIsOmitted() {
    JsonObject f = parse(FrameEncoder.pong(null, TS));
    assertFalse(f.containsKey("id"));
  }

  @Test
  void idComesRightAfterType() {
    assertEquals(List.of("type", "id", "room"), fieldOrder(FrameEncoder.left(2L, "lobby")));
  }

  @Test
  void stringIdWithQuotesAndEmojiIsEchoedExactly() {
    String id = "a\"b\\c\n\uD83D\uDE00";
    assertEquals(id, parse(FrameEncoder.pong(id, TS)).getString("id"));
  }

  // ---- one test per frame

  @Test
  void welcomeHasSessionUserNodeHeartbeatAndLimits() {
    JsonObject f = parse(FrameEncoder.welcome("s-7f3a91", "alice", "Alice", "n-1c2d", 25000, 60000, 65536, 4000, 20,
        40, 50));
    assertEquals("welcome", f.getString("type"));
    assertEquals("s-7f3a91", f.getString("session"));
    assertEquals("alice", f.getString("user"));
    assertEquals("Alice", f.getString("name"));
    assertEquals("n-1c2d", f.getString("node"));
    assertEquals(new JsonObject().put("interval", 25000).put("timeout", 60000), f.getJsonObject("heartbeat"));
    assertEquals(new JsonObject("{\"maxFrameBytes\":65536,\"maxTextChars\":4000,\"rate\":20,\"burst\":40,\"maxRooms\":50}"),
        f.getJsonObject("limits"));
    assertFalse(f.containsKey("id"));
  }

  @Test
  void joinedHasEpochSeqHistoryMembersAndCount() {
    String m42 = message("hi", null).replace("\"seq\":58", "\"seq\":42");
    JsonObject f = parse(FrameEncoder.joined(1L, "lobby", "e-5b1c", 57, true, List.of(m42),
        List.of(new Member("alice", "Alice"), new Member("bob", "Bob"))));
    assertEquals("joined", f.getString("type"));
    assertEquals(1L, f.getLong("id"));
    assertEquals("lobby", f.getString("room"));
    assertEquals("e-5b1c", f.getString("epoch"));
    assertEquals(57L, f.getLong("seq"));
    assertEquals(Boolean.TRUE, f.getBoolean("recovered"));
    assertEquals(new JsonArray().add(new JsonObject(m42)), f.getJsonArray("history"));
    assertEquals(new JsonArray("[{\"user\":\"alice\",\"name\":\"Alice\"},{\"user\":\"bob\",\"name\":\"Bob\"}]"),
        f.getJsonArray("members"));
    assertEquals(2, f.getInteger("count"));
  }

  @Test
  void joinedWithoutSinceHasNoRecoveredField() {
    JsonObject f = parse(FrameEncoder.joined(1L, "lobby", "e-1", 0, null, List.of(), List.of(new Member("a", "a"))));
    assertFalse(f.containsKey("recovered"));
    assertEquals(new JsonArray(), f.getJsonArray("history"));
  }

  @Test
  void joinedWithFailedRecoveryHasRecoveredFalse() {
    JsonObject f = parse(FrameEncoder.joined(1L, "lobby", "e-1", 0, false, List.of(), List.of()));
    assertEquals(Boolean.FALSE, f.getBoolean("recovered"));
    assertEquals(0, f.getInteger("count"));
  }

  @Test
  void leftHasTheRoom() {
    assertEquals(new JsonObject("{\"type\":\"left\",\"id\":2,\"room\":\"lobby\"}"), parse(FrameEncoder.left(2L, "lobby")));
  }

  @Test
  void ackOfARoomMessageHasNoOnlineField() {
    JsonObject f = parse(FrameEncoder.ack(3L, "lobby", 58, TS, null));
    assertEquals(new JsonObject().put("type", "ack").put("id", 3L).put("room", "lobby").put("seq", 58L).put("ts", TS), f);
  }

  @Test
  void ackOfAPrivateMessageSaysWhetherTheRecipientIsOnline() {
    assertEquals(Boolean.TRUE, parse(FrameEncoder.ack(4L, "dm:alice:bob", 7, TS, true)).getBoolean("online"));
    assertEquals(Boolean.FALSE, parse(FrameEncoder.ack(4L, "dm:alice:bob", 7, TS, false)).getBoolean("online"));
  }

  @Test
  void presenceHasEventUserNameAndCountAndNoId() {
    JsonObject f = parse(FrameEncoder.presence("lobby", "leave", "alice", "Alice", 1));
    assertEquals(new JsonObject("{\"type\":\"presence\",\"room\":\"lobby\",\"event\":\"leave\",\"user\":\"alice\","
        + "\"name\":\"Alice\",\"count\":1}"), f);
  }

  @Test
  void historyHasMessagesOldestFirstAndMore() {
    String m1 = message("one", null).replace("\"seq\":58", "\"seq\":1");
    String m2 = message("two", null).replace("\"seq\":58", "\"seq\":2");
    JsonObject f = parse(FrameEncoder.history(5L, "lobby", List.of(m1, m2), true));
    assertEquals("history", f.getString("type"));
    assertEquals(5L, f.getLong("id"));
    assertEquals("lobby", f.getString("room"));
    assertEquals(1L, f.getJsonArray("messages").getJsonObject(0).getLong("seq"));
    assertEquals(2L, f.getJsonArray("messages").getJsonObject(1).getLong("seq"));
    assertEquals(Boolean.TRUE, f.getBoolean("more"));
  }

  @Test
  void emptyHistoryIsAnEmptyArray() {
    JsonObject f = parse(FrameEncoder.history(null, "lobby", List.of(), false));
    assertEquals(new JsonArray(), f.getJsonArray("messages"));
    assertEquals(Boolean.FALSE, f.getBoolean("more"));
  }

  @Test
  void membersHasOneEntryPerUserAndCount() {
    JsonObject f = parse(FrameEncoder.members(6L, "lobby", List.of(new Member("alice", "Alice"))));
    assertEquals(new JsonObject("{\"type\":\"members\",\"id\":6,\"room\":\"lobby\","
        + "\"members\":[{\"user\":\"alice\",\"name\":\"Alice\"}],\"count\":1}"), f);
  }

  @Test
  void pongHasTs() {
    assertEquals(new JsonObject("{\"type\":\"pong\",\"id\":7,\"ts\":\"" + TS + "\"}"), parse(FrameEncoder.pong(7L, TS)));
  }

  @Test
  void heartbeatAckHasTs() {
    assertEquals(new JsonObject("{\"type\":\"heartbeat_ack\",\"ts\":\"" + TS + "\"}"),
        parse(FrameEncoder.heartbeatAck(null, TS)));
  }

  @Test
  void refreshedCarriesExpiresAt() {
    assertEquals(TS, parse(FrameEncoder.refreshed(8L, TS)).getString("expiresAt"));
  }

  @Test
  void refreshedWithoutExpiryWritesJsonNull() {
    String frame = FrameEncoder.refreshed(8L, null);
    JsonObject f = parse(frame);
    assertTrue(f.containsKey("expiresAt"), frame);
    assertNull(f.getValue("expiresAt"));
    assertTrue(frame.contains("\"expiresAt\":null"), frame);
  }

  // ---- error

  @Test
  void errorHasCodeAndMessage() {
    JsonObject f = parse(FrameEncoder.error(3L, ErrorCode.NOT_MEMBER, "join room 'lobby' before publishing to it", -1));
    assertEquals(new JsonObject().put("type", "error").put("id", 3L).put("code", "not_member")
        .put("message", "join room 'lobby' before publishing to it"), f);
  }

  @Test
  void errorWithNegativeRetryAfterHasNoRetryAfterMs() {
    assertFalse(parse(FrameEncoder.error(null, ErrorCode.BAD_REQUEST, "x", -1)).containsKey("retryAfterMs"));
  }

  @Test
  void errorWithRetryAfterZeroOrMoreHasRetryAfterMs() {
    assertEquals(0L, parse(FrameEncoder.error(1L, ErrorCode.RATE_LIMITED, "slow down", 0)).getLong("retryAfterMs"));
    assertEquals(1500L, parse(FrameEncoder.error(1L, ErrorCode.RATE_LIMITED, "slow down", 1500)).getLong("retryAfterMs"));
  }

  @Test
  void everyErrorCodeHasItsWireName() {
    for (ErrorCode code : ErrorCode.values()) {
      assertEquals(code.wire(), parse(FrameEncoder.error(null, code, "m", -1)).getString("code"));
    }
    assertEquals("rate_limited", ErrorCode.RATE_LIMITED.wire());
    assertEquals("token_expired", ErrorCode.TOKEN_EXPIRED.wire());
  }

  @Test
  void errorMessageWithClientTextIsValidJson() {
    String message = "unknown type '\"}<script>\\'";
    assertEquals(message, parse(FrameEncoder.error(null, ErrorCode.UNKNOWN_TYPE, message, -1)).getString("message"));
  }

  // ---- message templates

  @Test
  void messageTemplateWithSeqIsAValidMessageFrame() {
    JsonObject f = parse(message("hello", new JsonObject().put("any", "json object")));
    assertEquals("message", f.getString("type"));
    assertEquals("lobby", f.getString("room"));
    assertEquals(58L, f.getLong("seq"));
    assertEquals("alice", f.getString("from"));
    assertEquals("Alice", f.getString("name"));
    assertEquals("hello", f.getString("text"));
    assertEquals(new JsonObject().put("any", "json object"), f.getJsonObject("data"));
    assertEquals(TS, f.getString("ts"));
    assertFalse(f.containsKey("via"));
    assertFalse(f.containsKey("to"));
  }

  @Test
  void messageFieldsComeInProtocolOrder() {
    assertEquals(List.of("type", "room", "seq", "from", "name", "text", "data", "ts"),
        fieldOrder(message("hello", new JsonObject().put("k", 1))));
  }

  @Test
  void messageWithoutDataHasNoDataField() {
    assertEquals(List.of("type", "room", "seq", "from", "name", "text", "ts"), fieldOrder(message("hello", null)));
  }

  @Test
  void messageWithoutTextHasNoTextField() {
    assertEquals(List.of("type", "room", "seq", "from", "name", "data", "ts"),
        fieldOrder(message(null, new JsonObject().put("k", 1))));
  }

  @Test
  void oneTemplateServesEverySeq() {
    FrameEncoder.MessageTemplate t = FrameEncoder.message("lobby", "alice", "Alice", null, "x", null, false, TS);
    assertEquals(1L, parse(t.withSeq(1)).getLong("seq"));
    assertEquals(9_007_199_254_740_991L, parse(t.withSeq(9_007_199_254_740_991L)).getLong("seq"));
  }

  @Test
  void htmlInTextIsKeptByteExact() {
    String text = "<img src=x onerror=alert(1)>";
    String frame = message(text, null);
    assertEquals(text, parse(frame).getString("text"));
    assertTrue(frame.contains(text), "not escaped for HTML: " + frame);
  }

  @Test
  void quotesAndBackslashesInTextSurviveTheRoundTrip() {
    String text = "say \"hi\" \\ back\\slash \\\" '";
    assertEquals(text, parse(message(text, null)).getString("text"));
  }

  @Test
  void newlinesTabsAndControlCharactersInTextSurviveTheRoundTrip() {
    String text = "line1\nline2\r\n\ttab \u0000 \u001f \u2028";
    assertEquals(text, parse(message(text, null)).getString("text"));
  }

  @Test
  void emojiAndOtherUnicodeInTextSurviveTheRoundTrip() {
    String text = "\uD83D\uDE00 \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67 caf\u00e9 \u4e2d\u6587 \u05e9\u05dc\u05d5\u05dd";
    String frame = message(text, null);
    assertEquals(text, parse(frame).getString("text"));
    assertTrue(frame.contains(text), "written as characters, not escapes: " + frame);
  }

  @Test
  void whitespaceInTextIsNotTrimmed() {
    assertEquals("  padded  ", parse(message("  padded  ", null)).getString("text"));
  }

  @Test
  void nestedDataWithSpecialCharactersSurvivesTheRoundTrip() {
    JsonObject data = new JsonObject().put("html", "<b>\"x\"</b>").put("list", new JsonArray().add(1).add("\n"))
        .put("nested", new JsonObject().put("null", (Object) null).put("bool", true));
    assertEquals(data, parse(message("t", data)).getJsonObject("data"));
  }

  @Test
  void privateTemplateHasToAfterName() {
    String frame = FrameEncoder.message("dm:alice:bob", "alice", "Alice", "bob", "psst", null, false, TS).withSeq(7);
    JsonObject f = parse(frame);
    assertEquals("private", f.getString("type"));
    assertEquals("dm:alice:bob", f.getString("room"));
    assertEquals(7L, f.getLong("seq"));
    assertEquals("bob", f.getString("to"));
    assertEquals("psst", f.getString("text"));
    assertEquals(List.of("type", "room", "seq", "from", "name", "to", "text", "ts"), fieldOrder(frame));
  }

  @Test
  void messageViaApiCarriesVia() {
    String frame = FrameEncoder.message("lobby", "deploy-bot", "Deploy bot", null, "deployed", null, true, TS)
        .withSeq(3);
    JsonObject f = parse(frame);
    assertEquals("api", f.getString("via"));
    assertEquals("deploy-bot", f.getString("from"));
    assertEquals(List.of("type", "room", "seq", "from", "name", "text", "via", "ts"), fieldOrder(frame));
  }

  @Test
  void messageNotViaApiHasNoVia() {
    assertFalse(parse(message("x", null)).containsKey("via"));
  }

  // ---- the frames written by hand (message, ack) escape as Jackson does in every other frame

  @Test
  void handWrittenStringsAreEscapedExactlyAsJacksonEscapesThem() throws java.io.IOException {
    StringBuilder every = new StringBuilder();
    for (char c = 0; c < 0x100; c++) {
      every.append(c);
    }
    java.util.Random random = new java.util.Random(42);
    List<String> samples = new ArrayList<>(List.of("", "plain", every.toString(), "\uD83D\uDE00 emoji",
        "lone \uD83D high", "lone \uDE00 low", "\u2028\u2029", "</script>", "a\"b\\c/d"));
    for (int i = 0; i < 200; i++) {
      char[] chars = new char[random.nextInt(40)];
      for (int j = 0; j < chars.length; j++) {
        chars[j] = (char) (random.nextBoolean() ? random.nextInt(0x80) : random.nextInt(0x10000));
      }
      samples.add(new String(chars));
    }
    com.fasterxml.jackson.core.JsonFactory jackson = new com.fasterxml.jackson.core.JsonFactory();
    for (String text : samples) {
      java.io.StringWriter expected = new java.io.StringWriter();
      try (var g = jackson.createGenerator(expected)) {
        g.writeString(text);
      }
      assertEquals(expected.toString(), FrameEncoder.quote(new StringBuilder(), text).toString());
    }
    assertEquals("null", FrameEncoder.quote(new StringBuilder(), null).toString());
  }

  @Test
  void theAckAndTheMessageAreWholeJsonWithTheirFieldsInOrder() {
    String ack = FrameEncoder.ack("r\"1", "lo\nbby", 7, TS, true);
    assertEquals(List.of("type", "id", "room", "seq", "ts", "online"), fieldOrder(ack));
    assertEquals("r\"1", parse(ack).getString("id"));
    assertEquals("lo\nbby", parse(ack).getString("room"));
    assertEquals(List.of("type", "id", "room", "seq", "ts"), fieldOrder(FrameEncoder.ack(3L, "lobby", 7, TS, null)));
    assertEquals(3L, parse(FrameEncoder.ack(3L, "lobby", 7, TS, null)).getLong("id"));
    assertEquals(List.of("type", "room", "seq", "ts"), fieldOrder(FrameEncoder.ack(null, "lobby", 7, TS, null)));

    String sent = FrameEncoder.message("bob|carol", "bob", "B\"ob", "carol", "hi\u0001", new JsonObject().put("k", 1),
        true, TS).withSeq(9);
    assertEquals(List.of("type", "room", "seq", "from", "name", "to", "text", "data", "via", "ts"), fieldOrder(sent));
    JsonObject f = parse(sent);
    assertEquals("private", f.getString("type"));
    assertEquals("B\"ob", f.getString("name"));
    assertEquals("hi\u0001", f.getString("text"));
    assertEquals(1, f.getJsonObject("data").getInteger("k"));
  }
}
