package io.switchboard.protocol;

/** The naming rules of PROTOCOL.md section 1 for user ids, rooms and conversations. */
public final class Names {

  /** A user id's or room name's longest form, in chars (all of them ASCII). */
  private static final int MAX_NAME_CHARS = 64;
  private static final String DM_PREFIX = "dm:";
  /** The longest display name, in characters (code points), that a sender may give itself. */
  public static final int MAX_DISPLAY_NAME_CHARS = 64;

  private Names() {
  }

  /** {@code [A-Za-z0-9][A-Za-z0-9_.@-]{0,63}}. */
  public static boolean isUser(String s) {
    return s != null && name(s, 0, false);
  }

  /** A room that can be joined: a public room or a system ({@code $}) room, never {@code dm:}. */
  public static boolean isJoinableRoom(String s) {
    if (s == null || s.startsWith(DM_PREFIX)) {
      return false;
    }
    return name(s, isSystemRoom(s) ? 1 : 0, true);
  }

  /**
   * Whether {@code s} from {@code from} on is {@code [A-Za-z0-9][A-Za-z0-9_.@-]{0,63}}, with
   * {@code :} among the later chars where {@code colon}. Checked by hand, not by a regex: every
   * publish and join names a room, and a matcher was a tenth of what decoding a publish allocated.
   */
  private static boolean name(String s, int from, boolean colon) {
    int n = s.length() - from;
    if (n < 1 || n > MAX_NAME_CHARS || !alphanumeric(s.charAt(from))) {
      return false;
    }
    for (int i = from + 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!alphanumeric(c) && c != '_' && c != '.' && c != '@' && c != '-' && !(colon && c == ':')) {
        return false;
      }
    }
    return true;
  }

  private static boolean alphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
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
