package io.switchboard.protocol;

/** UTF-8 lengths without encoding: what a reply's budget counts. */
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
}
