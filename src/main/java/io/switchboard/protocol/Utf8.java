package io.switchboard.protocol;

/**
 * UTF-8 without encoding: a string's length (what a reply's budget counts), and whether it has a
 * UTF-8 form at all (text, ids, names and data are refused when they do not).
 */
public final class Utf8 {

  private Utf8() {
  }

  /** The number of bytes {@code s} takes as UTF-8. */
  public static long length(String s) {
    long n = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        // a surrogate pair is 2 chars and 4 bytes: 1 extra each; others 1 or 2 extra
        n += c < 0x800 ? 1 : Character.isSurrogate(c) ? 1 : 2;
      }
    }
    return n;
  }

  /** Text is relayed byte-exact as UTF-8; half a surrogate pair has no UTF-8 form. */
  static boolean hasLoneSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return true;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }
}
