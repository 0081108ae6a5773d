package io.switchboard.ops;

/** Text that anyone may have written (a header, a token's claims), made fit for one log line. */
public final class LogText {

  private static final int MAX_CHARS = 160;

  private LogText() {
  }

  /** Control and format characters as spaces (no forged line, no turned text), at most 160 chars. */
  public static String oneLine(String text) {
    if (text == null) {
      return "none";
    }
    String line = text.codePoints().map(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT ? ' ' : c)
        .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
    return line.length() > MAX_CHARS ? line.substring(0, MAX_CHARS) + "…" : line;
  }
}
