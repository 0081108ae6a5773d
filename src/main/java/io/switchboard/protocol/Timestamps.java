package io.switchboard.protocol;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The {@code ts} format: ISO-8601 UTC, always with milliseconds. Every message and ack carries
 * one, so it is written by hand (DateTimeFormatter made about a tenth of the garbage of a
 * publish), and the last one is kept: at thousands of messages a second most share a millisecond.
 */
public final class Timestamps {

  private static final DateTimeFormatter FORMAT =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private record Formatted(long millis, String text) {
  }

  private static volatile Formatted last = new Formatted(0, format0(0));

  private Timestamps() {
  }

  public static String format(long epochMillis) {
    Formatted known = last;
    if (known.millis == epochMillis) {
      return known.text;
    }
    String text = format0(epochMillis);
    last = new Formatted(epochMillis, text);
    return text;
  }

  public static String now() {
    return format(System.currentTimeMillis());
  }

  private static String format0(long epochMillis) {
    long seconds = Math.floorDiv(epochMillis, 1000L);
    LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400L));
    if (date.getYear() < 1 || date.getYear() > 9999) {
      return FORMAT.format(Instant.ofEpochMilli(epochMillis)); // years 1 to 9999 are all the fast path writes
    }
    int secondOfDay = (int) Math.floorMod(seconds, 86_400L);
    char[] c = "0000-00-00T00:00:00.000Z".toCharArray();
    digits(c, 0, date.getYear(), 4);
    digits(c, 5, date.getMonthValue(), 2);
    digits(c, 8, date.getDayOfMonth(), 2);
    digits(c, 11, secondOfDay / 3600, 2);
    digits(c, 14, secondOfDay / 60 % 60, 2);
    digits(c, 17, secondOfDay % 60, 2);
    digits(c, 20, (int) Math.floorMod(epochMillis, 1000L), 3);
    return new String(c);
  }

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
