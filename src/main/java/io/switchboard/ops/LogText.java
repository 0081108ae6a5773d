package io.switchboard.ops;

/** Text that anyone may have written (a header, a token's claims), made fit for one log line. */
public final class LogText {

  private static final int MAX_CHARS = 160;

  private LogText() {
  }

  /** Control and format characters as spaces (no forged line, no turned text), at most 160 chars. */
  public static String oneLine(String text) {
    return oneLine(text, MAX_CHARS);
  }

  /** As {@link #oneLine(String)}, at most {@code maxChars} chars. */
  public static String oneLine(String text, int maxChars) {
    if (text == null) {
      return "none";
    }
    String line = text.codePoints().map(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? ' ' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return line.length() > maxChars ? line.substring(0, maxChars) + "…" : line;
  }
}
