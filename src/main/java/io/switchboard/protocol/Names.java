package io.switchboard.protocol;

import java.util.regex.Pattern;

/** The naming rules of PROTOCOL.md section 1 for user ids, rooms and conversations. */
public final class Names {

  private static final Pattern USER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}");
  private static final Pattern ROOM = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@:-]{0,63}");
  private static final String DM_PREFIX = "dm:";
  /** The longest display name, in characters (code points), that a sender may give itself. */
  public static final int MAX_DISPLAY_NAME_CHARS = 64;

  private Names() {
  }

  public static boolean isUser(String s) {
    return s != null && USER.matcher(s).matches();
  }

  /** A room that can be joined: a public room or a system ({@code $}) room, never {@code dm:}. */
  public static boolean isJoinableRoom(String s) {
    if (s == null || s.startsWith(DM_PREFIX)) {
      return false;
    }
    String base = isSystemRoom(s) ? s.substring(1) : s;
    return ROOM.matcher(base).matches();
  }

  /**
   * A display name a sender gives itself: at most {@link #MAX_DISPLAY_NAME_CHARS} whole characters,
   * none of them a control character, a line break or a bidirectional control: a name is shown
   * where the user id is not, and those would let one reorder or break what others read around it.
   */
  public static boolean isDisplayName(String s) {
    return s != null && s.codePointCount(0, s.length()) <= MAX_DISPLAY_NAME_CHARS && !Utf8.hasLoneSurrogate(s)
        && s.codePoints().noneMatch(Names::unfitInName);
  }

  private static boolean unfitInName(int c) {
    int type = Character.getType(c);
    return type == Character.CONTROL || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR
        || c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
  }

  /** The one system room the nodes write to: their metrics, every second. */
  public static final String METRICS_ROOM = "$metrics";

  public static boolean isSystemRoom(String s) {
    return s.startsWith("$");
  }

  /** {@code dm:<a>:<b>} with two valid, different user ids in code-point order. */
  public static boolean isConversation(String s) {
    if (s == null || !s.startsWith(DM_PREFIX)) {
      return false;
    }
    String[] parts = s.substring(DM_PREFIX.length()).split(":", -1);
    return parts.length == 2 && isUser(parts[0]) && isUser(parts[1]) && parts[0].compareTo(parts[1]) < 0;
  }

  /** A room whose history can be read: a joinable room or a conversation. */
  public static boolean isReadableRoom(String s) {
    return isJoinableRoom(s) || isConversation(s);
  }

  public static String conversation(String a, String b) {
    return a.compareTo(b) < 0 ? DM_PREFIX + a + ":" + b : DM_PREFIX + b + ":" + a;
  }

  /** The two users of a valid conversation name. */
  public static String[] conversationUsers(String room) {
    return room.substring(DM_PREFIX.length()).split(":", 2);
  }
}
