package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 1: {@code ^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$}, rooms also {@code :}, {@code dm:} reserved. */
class NamesTest {

  // ---- display names

  /** Shown where the user id is not: nothing in it may break the line or turn the text around it. */
  @Test
  void displayNamesRefuseControlsLineBreaksAndBidiControls() {
    assertTrue(Names.isDisplayName("Ann Émile 🙂"));
    assertTrue(Names.isDisplayName("👩\u200d💻 Zoë"), "a joiner inside an emoji is fine");
    assertTrue(Names.isDisplayName("مریم\u200cها"), "so is a non-joiner, which Persian needs");
    for (String unfit : new String[] {"Ann\nAdmin", "Ann\t", "A\u0000", "A\u0085", "A\u2028B", "A\u2029",
        "\u202eecilA", "A\u2066B\u2069", "A\u200fB", "A\u061cB"}) {
      assertFalse(Names.isDisplayName(unfit), unfit);
    }
  }

  // ---- users

  @Test
  void userIdsOfLettersDigitsAndPunctuationAfterTheFirstCharacter() {
    assertTrue(Names.isUser("alice"));
    assertTrue(Names.isUser("A"));
    assertTrue(Names.isUser("7"));
    assertTrue(Names.isUser("bob.smith@example-corp_1"));
  }

  @Test
  void userIdOfSixtyFourCharactersIsValidAndSixtyFiveIsNot() {
    assertTrue(Names.isUser("u".repeat(64)));
    assertFalse(Names.isUser("u".repeat(65)));
  }

  @Test
  void userIdMustStartWithALetterOrDigit() {
    assertFalse(Names.isUser("_alice"));
    assertFalse(Names.isUser(".alice"));
    assertFalse(Names.isUser("@alice"));
    assertFalse(Names.isUser("-alice"));
    assertFalse(Names.isUser("$alice"));
  }

  @Test
  void emptyOrNullUserIdIsInvalid() {
    assertFalse(Names.isUser(""));
    assertFalse(Names.isUser(null));
  }

  @Test
  void userIdMayNotContainAColon() {
    assertFalse(Names.isUser("a:b"));
  }

  @Test
  void userIdMayNotContainSpacesNonAsciiOrOtherPunctuation() {
    assertFalse(Names.isUser("al ice"));
    assertFalse(Names.isUser("al/ice"));
    assertFalse(Names.isUser("caf\u00e9"));
    assertFalse(Names.isUser("\u0430lice")); // Cyrillic a
    assertFalse(Names.isUser("alice\uD83D\uDE00"));
  }

  @Test
  void userIdWithATrailingNewlineIsInvalid() {
    assertFalse(Names.isUser("alice\n"));
    assertFalse(Names.isUser("alice\r\n"));
  }

  // ---- rooms

  @Test
  void roomNamesFollowTheUserPatternAndAlsoAllowColons() {
    assertTrue(Names.isJoinableRoom("lobby"));
    assertTrue(Names.isJoinableRoom("team:ops"));
    assertTrue(Names.isJoinableRoom("a:b:c"));
    assertTrue(Names.isJoinableRoom("x_y.z@w-1"));
  }

  @Test
  void roomNameCannotStartWithAColon() {
    assertFalse(Names.isJoinableRoom(":lobby"));
  }

  @Test
  void roomNameOfSixtyFourCharactersIsValidAndSixtyFiveIsNot() {
    assertTrue(Names.isJoinableRoom("r".repeat(64)));
    assertFalse(Names.isJoinableRoom("r".repeat(65)));
  }

  @Test
  void emptyOrNullRoomIsInvalid() {
    assertFalse(Names.isJoinableRoom(""));
    assertFalse(Names.isJoinableRoom(null));
    assertFalse(Names.isReadableRoom(null));
  }

  @Test
  void roomWithSpacesOrNonAsciiIsInvalid() {
    assertFalse(Names.isJoinableRoom("the lobby"));
    assertFalse(Names.isJoinableRoom("l\u00f6bby"));
    assertFalse(Names.isJoinableRoom("lobby\n"));
  }

  @Test
  void dmPrefixIsReservedForConversations() {
    assertFalse(Names.isJoinableRoom("dm:alice:bob"));
    assertFalse(Names.isJoinableRoom("dm:lobby"));
    assertFalse(Names.isJoinableRoom("dm:"));
  }

  @Test
  void dollarRoomsAreSystemRoomsAndJoinable() {
    assertTrue(Names.isSystemRoom("$metrics"));
    assertTrue(Names.isJoinableRoom("$metrics"));
    assertFalse(Names.isSystemRoom("metrics"));
  }

  @Test
  void dollarAloneOrDollarFollowedByAnInvalidNameIsInvalid() {
    assertFalse(Names.isJoinableRoom("$"));
    assertFalse(Names.isJoinableRoom("$$metrics"));
    assertFalse(Names.isJoinableRoom("$ metrics"));
    assertFalse(Names.isJoinableRoom("$_metrics"));
  }

  @Test
  void dollarIsOnlySpecialAsTheFirstCharacter() {
    assertFalse(Names.isJoinableRoom("lob$by"));
  }

  // ---- conversations

  @Test
  void conversationNameSortsTheTwoUsers() {
    assertEquals("dm:alice:bob", Names.conversation("alice", "bob"));
    assertEquals("dm:alice:bob", Names.conversation("bob", "alice"));
  }

  @Test
  void conversationSortsInCodePointOrderUppercaseFirst() {
    assertEquals("dm:Zed:alice", Names.conversation("alice", "Zed"));
    assertEquals("dm:1:a", Names.conversation("a", "1"));
  }

  @Test
  void sortedConversationOfTwoValidDifferentUsersIsValid() {
    assertTrue(Names.isConversation("dm:alice:bob"));
    assertTrue(Names.isReadableRoom("dm:alice:bob"));
  }

  @Test
  void unsortedConversationIsInvalid() {
    assertFalse(Names.isConversation("dm:bob:alice"));
    assertFalse(Names.isReadableRoom("dm:bob:alice"));
  }

  @Test
  void conversationWithYourselfIsInvalid() {
    assertFalse(Names.isConversation("dm:alice:alice"));
  }

  @Test
  void conversationNeedsExactlyTwoValidUsers() {
    assertFalse(Names.isConversation("dm:alice"));
    assertFalse(Names.isConversation("dm:alice:"));
    assertFalse(Names.isConversation("dm::bob"));
    assertFalse(Names.isConversation("dm:alice:bob:carol"));
    assertFalse(Names.isConversation("dm:_alice:bob"));
    assertFalse(Names.isConversation("dm:alice:b ob"));
    assertFalse(Names.isConversation("dm:"));
    assertFalse(Names.isConversation(null));
  }

  @Test
  void conversationPrefixIsLowercaseDm() {
    assertFalse(Names.isConversation("DM:alice:bob"));
    assertFalse(Names.isConversation("lobby"));
  }

  @Test
  void conversationOfTwoLongestUserIdsIsValid() {
    String a = "a".repeat(64);
    String b = "b".repeat(64);
    assertTrue(Names.isConversation(Names.conversation(b, a)));
  }

  @Test
  void conversationUsersAreTheTwoSortedIds() {
    assertArrayEquals(new String[] {"alice", "bob"}, Names.conversationUsers("dm:alice:bob"));
  }

  @Test
  void readableRoomsAreJoinableRoomsAndConversations() {
    assertTrue(Names.isReadableRoom("lobby"));
    assertTrue(Names.isReadableRoom("$metrics"));
    assertFalse(Names.isReadableRoom("dm:lobby"));
    assertFalse(Names.isReadableRoom("bad name"));
  }

  // ---- the rules as PROTOCOL.md writes them

  /**
   * The names are checked by hand; the regexes of PROTOCOL.md section 1 are the reference, on
   * random strings near the rules' edges (their chars, a few others, lengths around 64).
   */
  @Test
  void theHandWrittenChecksAgreeWithProtocolsRegexes() {
    java.util.regex.Pattern user = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}");
    java.util.regex.Pattern room = java.util.regex.Pattern.compile("\\$?[A-Za-z0-9][A-Za-z0-9_.@:-]{0,63}");
    String chars = "aZ09_.@-:$ /\u00e9\u0660\uff21\n";
    long seed = System.nanoTime();
    java.util.Random random = new java.util.Random(seed);
    for (int c = 0; c < 50_000; c++) {
      StringBuilder b = new StringBuilder();
      for (int k = random.nextInt(4) == 0 ? 60 + random.nextInt(8) : random.nextInt(6); k > 0; k--) {
        b.append(random.nextInt(3) == 0 ? chars.charAt(random.nextInt(chars.length())) : (char) ('a' + random.nextInt(26)));
      }
      String s = b.toString();
      assertEquals(user.matcher(s).matches(), Names.isUser(s), "seed " + seed + ": user " + s);
      assertEquals(room.matcher(s).matches() && !s.startsWith("dm:"), Names.isJoinableRoom(s), "seed " + seed + ": room " + s);
    }
  }
}
