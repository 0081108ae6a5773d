package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 2: every client frame, and every malformed shape answered as data. */
class CommandDecoderTest {

  private static final int MAX_TEXT = 10;
  private static final String EMOJI = "\uD83D\uDE00"; // 😀, one code point, two UTF-16 chars

  private final CommandDecoder decoder = new CommandDecoder(MAX_TEXT);

  private Decoded decode(String frame) {
    return decoder.decode(frame);
  }

  private <T extends Command> T command(Class<T> type, String frame) {
    return assertInstanceOf(type, decode(frame), frame);
  }

  private Decoded.Rejected rejected(String frame) {
    return assertInstanceOf(Decoded.Rejected.class, decode(frame), frame);
  }

  private void assertBadRequest(Object id, String frame) {
    Decoded.Rejected r = rejected(frame);
    assertEquals(ErrorCode.BAD_REQUEST, r.code(), frame);
    assertEquals(id, r.id(), frame);
    assertTrue(r.message() != null && !r.message().isEmpty(), "an error says what is wrong");
  }

  private void assertTooLarge(Object id, String frame) {
    Decoded.Rejected r = rejected(frame);
    assertEquals(ErrorCode.TOO_LARGE, r.code(), frame);
    assertEquals(id, r.id(), frame);
  }

  // ---- join

  /**
   * A publish's and a private message's optional key: a string of 1 to 64 characters; anything
   * else is no key (version 1 ignores unknown fields, and a client may have sent a key of its own).
   */
  @Test
  void aKeyNamesAPublishOrAPrivateMessage() {
    assertEquals("k-1", ((Command.Publish) decode("{\"type\":\"publish\",\"id\":1,\"room\":\"lobby\",\"text\":\"hi\",\"key\":\"k-1\"}")).key());
    assertNull(((Command.Publish) decode("{\"type\":\"publish\",\"id\":1,\"room\":\"lobby\",\"text\":\"hi\"}")).key());
    assertEquals(EMOJI.repeat(64), ((Command.Private) decode("{\"type\":\"private\",\"id\":1,\"to\":\"bob\",\"text\":\"hi\",\"key\":\""
        + EMOJI.repeat(64) + "\"}")).key(), "64 code points");
    for (String key : new String[] {"\"" + "k".repeat(65) + "\"", "\"\"", "7", "null", "{}"}) {
      assertNull(((Command.Publish) decode("{\"type\":\"publish\",\"id\":1,\"room\":\"lobby\",\"text\":\"hi\",\"key\":" + key + "}")).key(),
          key);
      assertNull(((Command.Private) decode("{\"type\":\"private\",\"id\":1,\"to\":\"bob\",\"text\":\"hi\",\"key\":" + key + "}")).key(),
          key);
    }
  }

  @Test
  void joinWithoutSinceHasDefaultHistoryAndNoRecovery() {
    Command.Join j = command(Command.Join.class, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\"}");
    assertEquals(1L, j.id());
    assertEquals("lobby", j.room());
    assertNull(j.since());
    assertEquals(50, j.history());
  }

  @Test
  void joinWithSinceCarriesSeqAndEpoch() {
    Command.Join j = command(Command.Join.class,
        "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"since\":{\"seq\":41,\"epoch\":\"e-5b1c\"}}");
    assertEquals(new Command.Since(41, "e-5b1c"), j.since());
    assertEquals(50, j.history());
  }

  @Test
  void joinWithHistoryZeroAsksForNoMessages() {
    Command.Join j = command(Command.Join.class, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"history\":0}");
    assertEquals(0, j.history());
  }

  @Test
  void joinHistoryAcceptsAtMostOneHundred() {
    assertEquals(100, command(Command.Join.class, "{\"type\":\"join\",\"room\":\"lobby\",\"history\":100}").history());
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"history\":101}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"history\":-1}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"history\":\"5\"}");
  }

  @Test
  void joinOfSystemRoomIsDecoded() {
    assertEquals("$metrics", command(Command.Join.class, "{\"type\":\"join\",\"room\":\"$metrics\"}").room());
  }

  @Test
  void joinSinceThatIsNotAnObjectIsBadRequest() {
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"since\":41}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"since\":[41,\"e-1\"]}");
  }

  @Test
  void joinSinceWithoutSeqOrEpochIsBadRequest() {
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"since\":{\"epoch\":\"e-1\"}}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"since\":{\"seq\":41}}");
  }

  @Test
  void joinSinceWithWrongTypesIsBadRequest() {
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"since\":{\"seq\":\"41\",\"epoch\":\"e-1\"}}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"since\":{\"seq\":41.5,\"epoch\":\"e-1\"}}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"since\":{\"seq\":-1,\"epoch\":\"e-1\"}}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"lobby\",\"since\":{\"seq\":41,\"epoch\":7}}");
  }

  // ---- room names

  @Test
  void missingRoomIsBadRequest() {
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1}");
  }

  @Test
  void roomThatIsNotAStringIsBadRequest() {
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":42}");
  }

  @Test
  void invalidRoomNameIsBadRequest() {
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"\"}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"has space\"}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"-lead\"}");
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"caf\u00e9\"}");
  }

  @Test
  void roomOfSixtyFourCharactersIsAcceptedAndSixtyFiveIsBadRequest() {
    String r64 = "r".repeat(64);
    assertEquals(r64, command(Command.Join.class, "{\"type\":\"join\",\"room\":\"" + r64 + "\"}").room());
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"" + "r".repeat(65) + "\"}");
  }

  @Test
  void conversationRoomCannotBeJoinedLeftPublishedToOrListed() {
    assertBadRequest(1L, "{\"type\":\"join\",\"id\":1,\"room\":\"dm:alice:bob\"}");
    assertBadRequest(1L, "{\"type\":\"leave\",\"id\":1,\"room\":\"dm:alice:bob\"}");
    assertBadRequest(1L, "{\"type\":\"publish\",\"id\":1,\"room\":\"dm:alice:bob\",\"text\":\"hi\"}");
    assertBadRequest(1L, "{\"type\":\"members\",\"id\":1,\"room\":\"dm:alice:bob\"}");
  }

  // ---- leave, members, ping, heartbeat, refresh

  @Test
  void leaveIsDecoded() {
    Command.Leave l = command(Command.Leave.class, "{\"type\":\"leave\",\"id\":2,\"room\":\"lobby\"}");
    assertEquals(new Command.Leave(2L, "lobby"), l);
  }

  /** An addition to PROTOCOL.md version 1: the user's conversations, limit 1 to 100 (50 when absent). */
  @Test
  void conversationsIsDecodedWithItsLimit() {
    assertEquals(new Command.Conversations(9L, 50), command(Command.Conversations.class, "{\"type\":\"conversations\",\"id\":9}"));
    assertEquals(new Command.Conversations("c", 1), command(Command.Conversations.class,
        "{\"type\":\"conversations\",\"id\":\"c\",\"limit\":1}"));
    assertEquals(new Command.Conversations(null, 100), command(Command.Conversations.class,
        "{\"type\":\"conversations\",\"limit\":100}"));
    for (String limit : new String[] {"0", "101", "2.5", "\"7\"", "-1"}) {
      assertBadRequest(3L, "{\"type\":\"conversations\",\"id\":3,\"limit\":" + limit + "}");
    }
  }

  @Test
  void membersIsDecoded() {
    assertEquals(new Command.Members(6L, "lobby"),
        command(Command.Members.class, "{\"type\":\"members\",\"id\":6,\"room\":\"lobby\"}"));
  }

  @Test
  void pingIsDecoded() {
    assertEquals(new Command.Ping(7L), command(Command.Ping.class, "{\"type\":\"ping\",\"id\":7}"));
  }

  @Test
  void heartbeatWithoutIdIsDecoded() {
    assertEquals(new Command.Heartbeat(null), command(Command.Heartbeat.class, "{\"type\":\"heartbeat\"}"));
  }

  @Test
  void refreshCarriesTheToken() {
    assertEquals(new Command.Refresh(8L, "a.b.c"),
        command(Command.Refresh.class, "{\"type\":\"refresh\",\"id\":8,\"token\":\"a.b.c\"}"));
  }

  @Test
  void refreshWithoutTokenIsBadRequest() {
    assertBadRequest(8L, "{\"type\":\"refresh\",\"id\":8}");
    assertBadRequest(8L, "{\"type\":\"refresh\",\"id\":8,\"token\":5}");
  }

  // ---- publish

  @Test
  void publishWithTextOnly() {
    Command.Publish p = command(Command.Publish.class, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"text\":\"hello\"}");
    assertEquals(3L, p.id());
    assertEquals("lobby", p.room());
    assertEquals("hello", p.text());
    assertNull(p.data());
  }

  @Test
  void publishWithDataOnly() {
    Command.Publish p = command(Command.Publish.class, "{\"type\":\"publish\",\"room\":\"lobby\",\"data\":{\"any\":\"json\"}}");
    assertNull(p.text());
    assertEquals(new JsonObject().put("any", "json"), p.data());
  }

  @Test
  void publishWithTextAndData() {
    Command.Publish p = command(Command.Publish.class,
        "{\"type\":\"publish\",\"room\":\"lobby\",\"text\":\"hi\",\"data\":{\"n\":[1,2]}}");
    assertEquals("hi", p.text());
    assertEquals(new JsonObject("{\"n\":[1,2]}"), p.data());
  }

  @Test
  void publishTextIsKeptExactlyAsSent() {
    String text = "  <b>x</b> \"q\" \\ \n ";
    Decoded d = new CommandDecoder(100).decode(
        new JsonObject().put("type", "publish").put("room", "lobby").put("text", text).encode());
    assertEquals(text, assertInstanceOf(Command.Publish.class, d).text());
  }

  @Test
  void publishIgnoresAClientSuppliedSender() {
    Command.Publish p = command(Command.Publish.class,
        "{\"type\":\"publish\",\"room\":\"lobby\",\"text\":\"hi\",\"from\":\"mallory\",\"user\":\"x\",\"username\":\"y\"}");
    assertEquals(new Command.Publish(null, "lobby", "hi", null), p);
  }

  @Test
  void publishWithNeitherTextNorDataIsBadRequest() {
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\"}");
  }

  @Test
  void publishWithEmptyTextIsBadRequest() {
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"text\":\"\"}");
  }

  @Test
  void publishTextThatIsNotAStringIsBadRequest() {
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"text\":5}");
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"text\":[\"a\"]}");
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"text\":{\"a\":1}}");
  }

  @Test
  void publishDataThatIsNotAnObjectIsBadRequest() {
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"data\":[1]}");
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"data\":\"x\"}");
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"text\":\"hi\",\"data\":5}");
  }

  @Test
  void textOfExactlyMaxTextCharsIsAccepted() {
    String text = "x".repeat(MAX_TEXT);
    assertEquals(text, command(Command.Publish.class, publish(text)).text());
  }

  @Test
  void textOfOneMoreThanMaxTextCharsIsTooLarge() {
    assertTooLarge(3L, publish("x".repeat(MAX_TEXT + 1)));
  }

  @Test
  void emojiCountsAsOneCharacterSoMaxTextCharsEmojiAreAccepted() {
    String text = EMOJI.repeat(MAX_TEXT);
    assertEquals(2 * MAX_TEXT, text.length(), "twice as many UTF-16 units as characters");
    assertEquals(text, command(Command.Publish.class, publish(text)).text());
  }

  @Test
  void oneEmojiMoreThanMaxTextCharsIsTooLarge() {
    assertTooLarge(3L, publish(EMOJI.repeat(MAX_TEXT + 1)));
  }

  @Test
  void tooLargeTextWithDataIsStillTooLarge() {
    assertTooLarge(3L, new JsonObject().put("type", "publish").put("id", 3).put("room", "lobby")
        .put("text", "x".repeat(MAX_TEXT + 1)).put("data", new JsonObject()).encode());
  }

  @Test
  void dataNestedWithinTheLimitIsAccepted() {
    int depth = MessageData.MAX_DATA_DEPTH - 1; // the data object itself is one level
    String data = "{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    assertInstanceOf(Command.Publish.class, decode("{\"type\":\"publish\",\"room\":\"lobby\",\"data\":" + data + "}"));
  }

  @Test
  void dataNestedDeeperThanTheLimitIsBadRequestKeepingTheId() {
    int depth = MessageData.MAX_DATA_DEPTH;
    String data = "{\"a\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"data\":" + data + "}");
  }

  @Test
  void fiveThousandNestedArraysInDataAreBadRequestNotAnException() {
    String data = "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}";
    assertEquals(ErrorCode.BAD_REQUEST,
        rejected("{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"data\":" + data + "}").code());
  }

  @Test
  void fiveThousandNestedObjectsAreBadRequestNotAnException() {
    String deep = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
    assertEquals(ErrorCode.BAD_REQUEST, rejected(deep).code());
  }

  @Test
  void hugeNumberAnywhereIsBadRequestNotAnException() {
    String huge = "1" + "0".repeat(5000);
    assertEquals(ErrorCode.BAD_REQUEST,
        rejected("{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"data\":{\"n\":" + huge + "}}").code());
    assertEquals(ErrorCode.BAD_REQUEST, rejected("{\"type\":\"ping\",\"id\":" + huge + "}").code());
  }

  @Test
  void hugeExponentInDataIsRejectedOrKeptAsValidJson() {
    Decoded d = decode("{\"type\":\"publish\",\"id\":3,\"room\":\"lobby\",\"data\":{\"n\":1e400}}");
    if (d instanceof Command.Publish p) {
      assertEquals(1, new JsonObject(p.data().encode()).size(), "data must still encode to JSON");
    } else {
      assertEquals(ErrorCode.BAD_REQUEST, assertInstanceOf(Decoded.Rejected.class, d).code());
    }
  }

  // ---- private

  @Test
  void privateWithText() {
    assertEquals(new Command.Private(4L, "bob", "psst", null),
        command(Command.Private.class, "{\"type\":\"private\",\"id\":4,\"to\":\"bob\",\"text\":\"psst\"}"));
  }

  @Test
  void privateWithData() {
    Command.Private p = command(Command.Private.class, "{\"type\":\"private\",\"to\":\"bob\",\"data\":{\"k\":1}}");
    assertEquals(new JsonObject().put("k", 1), p.data());
  }

  @Test
  void privateWithoutValidRecipientIsBadRequest() {
    assertBadRequest(4L, "{\"type\":\"private\",\"id\":4,\"text\":\"psst\"}");
    assertBadRequest(4L, "{\"type\":\"private\",\"id\":4,\"to\":\"bad name\",\"text\":\"psst\"}");
    assertBadRequest(4L, "{\"type\":\"private\",\"id\":4,\"to\":\"a:b\",\"text\":\"psst\"}");
    assertBadRequest(4L, "{\"type\":\"private\",\"id\":4,\"to\":7,\"text\":\"psst\"}");
  }

  @Test
  void privateFollowsTheTextRules() {
    assertBadRequest(4L, "{\"type\":\"private\",\"id\":4,\"to\":\"bob\"}");
    assertBadRequest(4L, "{\"type\":\"private\",\"id\":4,\"to\":\"bob\",\"text\":\"\"}");
    assertTooLarge(4L, "{\"type\":\"private\",\"id\":4,\"to\":\"bob\",\"text\":\"" + "x".repeat(MAX_TEXT + 1) + "\"}");
  }

  // ---- history

  @Test
  void historyWithBeforeAndLimit() {
    assertEquals(new Command.History(5L, "lobby", 58L, null, 50),
        command(Command.History.class, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"before\":58,\"limit\":50}"));
  }

  @Test
  void historyWithAfterAndLimit() {
    assertEquals(new Command.History(5L, "lobby", null, 41L, 100),
        command(Command.History.class, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"after\":41,\"limit\":100}"));
  }

  @Test
  void historyWithoutLimitDefaultsToFifty() {
    assertEquals(new Command.History(null, "lobby", null, null, 50),
        command(Command.History.class, "{\"type\":\"history\",\"room\":\"lobby\"}"));
  }

  @Test
  void historyLimitOfOneIsAccepted() {
    assertEquals(1, command(Command.History.class, "{\"type\":\"history\",\"room\":\"lobby\",\"limit\":1}").limit());
  }

  @Test
  void historyLimitZeroIsBadRequest() {
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"limit\":0}");
  }

  @Test
  void historyLimit101IsBadRequest() {
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"limit\":101}");
  }

  /** Between before and after, "more" would have no one meaning (older or newer remain?). */
  @Test
  void historyWithBothBeforeAndAfterIsBadRequest() {
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"before\":50,\"after\":10}");
  }

  @Test
  void historyLimitWithFractionIsBadRequest() {
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"limit\":1.5}");
  }

  @Test
  void historyLimitAsStringIsBadRequest() {
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"limit\":\"5\"}");
  }

  @Test
  void historyBeforeOrAfterThatIsNotANonNegativeIntegerIsBadRequest() {
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"before\":-1}");
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"before\":\"58\"}");
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"lobby\",\"after\":4.5}");
  }

  @Test
  void historyOfAConversationIsDecoded() {
    assertEquals("dm:alice:bob",
        command(Command.History.class, "{\"type\":\"history\",\"room\":\"dm:alice:bob\"}").room());
  }

  @Test
  void historyOfAnUnsortedOrMalformedConversationIsBadRequest() {
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"dm:bob:alice\"}");
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"dm:alice\"}");
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5,\"room\":\"dm:alice:alice\"}");
  }

  @Test
  void historyWithoutRoomIsBadRequest() {
    assertBadRequest(5L, "{\"type\":\"history\",\"id\":5}");
  }

  // ---- frame shape

  @Test
  void notJsonIsBadRequestWithoutId() {
    assertBadRequest(null, "hello");
    assertBadRequest(null, "{\"type\":\"ping\",\"id\":1");
    assertBadRequest(null, "");
  }

  /** Vert.x's parser takes comments: a frame with one was stored and relayed, where JSON has none. */
  @Test
  void commentsAreNotJson() {
    assertBadRequest(null, "{\"type\":\"ping\",\"id\":6,/*c*/\"x\":1}");
    assertBadRequest(null, "{\"type\":\"ping\",\"id\":7 // c\n}");
    assertBadRequest(null, "/* lead */{\"type\":\"ping\",\"id\":8}");
    assertBadRequest(null, "{\"type\":\"ping\",\"id\":9} /* trail */");
    assertBadRequest(null, "{\"type\":\"ping\",\"id\":9} {}");
    assertInstanceOf(Command.Ping.class, decode("{\"type\":\"ping\",\"id\":\"/* a comment in a string is text */\"}"));
  }

  @Test
  void jsonArrayIsBadRequest() {
    assertBadRequest(null, "[{\"type\":\"ping\",\"id\":1}]");
  }

  @Test
  void jsonStringIsBadRequest() {
    assertBadRequest(null, "\"ping\"");
  }

  @Test
  void jsonNumberIsBadRequest() {
    assertBadRequest(null, "42");
  }

  @Test
  void jsonNullOrBooleanIsBadRequest() {
    assertBadRequest(null, "null");
    assertBadRequest(null, "true");
  }

  @Test
  void trailingContentAfterTheObjectIsBadRequest() {
    assertBadRequest(null, "{\"type\":\"ping\"}{}");
  }

  @Test
  void missingTypeIsBadRequestKeepingTheId() {
    assertBadRequest(9L, "{\"id\":9}");
  }

  @Test
  void nonStringTypeIsBadRequestKeepingTheId() {
    assertBadRequest(9L, "{\"type\":7,\"id\":9}");
    assertBadRequest("x", "{\"type\":null,\"id\":\"x\"}");
    assertBadRequest(9L, "{\"type\":[\"ping\"],\"id\":9}");
  }

  @Test
  void unknownTypeIsUnknownTypeKeepingTheId() {
    Decoded.Rejected r = rejected("{\"type\":\"subscribe\",\"id\":\"abc\"}");
    assertEquals(ErrorCode.UNKNOWN_TYPE, r.code());
    assertEquals("abc", r.id());
  }

  @Test
  void typeIsCaseSensitive() {
    assertEquals(ErrorCode.UNKNOWN_TYPE, rejected("{\"type\":\"PING\",\"id\":1}").code());
  }

  @Test
  void unknownFieldsAreIgnored() {
    assertEquals(new Command.Ping(1L), command(Command.Ping.class, "{\"type\":\"ping\",\"id\":1,\"v\":2,\"x\":{}}"));
  }

  // ---- ids

  @Test
  void stringIdIsKept() {
    assertEquals("req-1", command(Command.Ping.class, "{\"type\":\"ping\",\"id\":\"req-1\"}").id());
  }

  @Test
  void stringIdOfSixtyFourCodePointsIsAccepted() {
    String id = EMOJI.repeat(64);
    assertEquals(id, command(Command.Ping.class, ping("\"" + id + "\"")).id());
  }

  @Test
  void stringIdOfSixtyFiveCodePointsIsBadRequestWithoutId() {
    assertBadRequest(null, ping("\"" + "i".repeat(65) + "\""));
    assertBadRequest(null, ping("\"" + EMOJI.repeat(65) + "\""));
  }

  /**
   * A lone surrogate (JavaScript's JSON.stringify writes one for an id cut inside a pair) has no
   * UTF-8 form: the reply's id came back as "a?", which the client could not match to its request.
   */
  @Test
  void stringIdWithALoneSurrogateIsBadRequestWithoutId() {
    assertBadRequest(null, ping("\"a\\ud800\""));
    assertBadRequest(null, ping("\"\\udc00b\""));
  }

  @Test
  void integerIdIsALong() {
    assertEquals(7L, command(Command.Ping.class, ping("7")).id());
    assertEquals(-7L, command(Command.Ping.class, ping("-7")).id());
    assertEquals(0L, command(Command.Ping.class, ping("0")).id());
  }

  @Test
  void integerIdOfTwoToTheFiftyThreeMinusOneIsAccepted() {
    long max = (1L << 53) - 1;
    assertEquals(max, command(Command.Ping.class, ping(Long.toString(max))).id());
    assertEquals(-max, command(Command.Ping.class, ping(Long.toString(-max))).id());
  }

  @Test
  void integerIdOfTwoToTheFiftyThreeIsBadRequestWithoutId() {
    assertBadRequest(null, ping(Long.toString(1L << 53)));
    assertBadRequest(null, ping(Long.toString(-(1L << 53))));
  }

  @Test
  void idWithFractionIsBadRequestWithoutId() {
    assertBadRequest(null, ping("1.0"));
  }

  @Test
  void idWithExponentIsBadRequestWithoutId() {
    assertBadRequest(null, ping("1e3"));
  }

  @Test
  void nullIdIsBadRequestWithoutId() {
    assertBadRequest(null, ping("null"));
  }

  @Test
  void booleanIdIsBadRequestWithoutId() {
    assertBadRequest(null, ping("true"));
  }

  @Test
  void objectOrArrayIdIsBadRequestWithoutId() {
    assertBadRequest(null, ping("{\"a\":1}"));
    assertBadRequest(null, ping("[1]"));
  }

  @Test
  void hugeIntegerIdIsBadRequestWithoutId() {
    assertBadRequest(null, ping("123456789012345678901234567890"));
  }

  @Test
  void badIdWinsOverAnUnknownType() {
    assertBadRequest(null, "{\"type\":\"nope\",\"id\":true}");
  }

  private static String publish(String text) {
    return new JsonObject().put("type", "publish").put("id", 3).put("room", "lobby").put("text", text).encode();
  }

  private static String ping(String idJson) {
    return "{\"type\":\"ping\",\"id\":" + idJson + "}";
  }

  /** Half a surrogate pair has no UTF-8 form: relayed, it would turn into '?', so it is refused. */
  @Test
  void unpairedSurrogatesInTextOrDataAreRefusedAndPairsPass() {
    assertBadRequest(1L, "{\"type\":\"publish\",\"id\":1,\"room\":\"r\",\"text\":\"a\\ud800b\"}");
    assertBadRequest(2L, "{\"type\":\"publish\",\"id\":2,\"room\":\"r\",\"data\":{\"k\":\"\\udc00\"}}");
    assertBadRequest(3L, "{\"type\":\"publish\",\"id\":3,\"room\":\"r\",\"data\":{\"\\ud800\":1}}");
    assertBadRequest(4L, "{\"type\":\"private\",\"id\":4,\"to\":\"bob\",\"data\":{\"a\":[1,{\"b\":\"x\\ud83d\"}]}}");
    Command.Publish ok = command(Command.Publish.class,
        "{\"type\":\"publish\",\"room\":\"r\",\"data\":{\"k\":\"\\ud83d\\ude00\"}}");
    assertEquals(EMOJI, ok.data().getString("k"));
  }

  /** 1e400 reads as Infinity, which JSON cannot say: relayed, it arrived as the string "Infinity". */
  @Test
  void numbersPastADoubleInDataAreRefused() {
    assertBadRequest(1L, "{\"type\":\"publish\",\"id\":1,\"room\":\"r\",\"data\":{\"x\":1e400}}");
    assertBadRequest(2L, "{\"type\":\"private\",\"id\":2,\"to\":\"bob\",\"data\":{\"a\":[1,{\"b\":-1e999}]}}");
    Command.Publish ok = command(Command.Publish.class,
        "{\"type\":\"publish\",\"room\":\"r\",\"data\":{\"x\":1e300,\"y\":12345678901234567890}}");
    assertEquals(1e300, ok.data().getDouble("x"));
  }
  /**
   * A program's data reaches a node as objects (the event bus copies them within a member): one
   * that Jackson would refuse to read back, past its number or name length, is refused at once.
   */
  @Test
  void dataNoJsonReaderWouldTakeBackIsRefused() {
    JsonObject longNumber = new JsonObject().put("n", new java.math.BigInteger("9".repeat(1_001)));
    assertTrue(MessageData.badData(longNumber).contains("number of over 1000"), MessageData.badData(longNumber));
    JsonObject deepDecimal = new JsonObject().put("a", new io.vertx.core.json.JsonArray()
        .add(new JsonObject().put("d", new java.math.BigDecimal("1." + "5".repeat(1_000)))));
    assertTrue(MessageData.badData(deepDecimal) != null);
    JsonObject longName = new JsonObject().put("x", new JsonObject().put("k".repeat(50_001), 1));
    assertTrue(MessageData.badData(longName).contains("name of over 50000"), MessageData.badData(longName));
    // at the limits, and a long string value (Jackson reads 20 million chars): all fine
    JsonObject fine = new JsonObject().put("n", new java.math.BigInteger("9".repeat(1_000)))
        .put("k".repeat(50_000), "v".repeat(60_000));
    assertEquals(null, MessageData.badData(fine));
    assertEquals(fine, new JsonObject(fine.encode()), "and read back as written");
  }
}
