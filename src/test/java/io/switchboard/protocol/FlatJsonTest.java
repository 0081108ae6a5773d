package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The frames read without Jackson: the common ones are, and whatever is read gives exactly what
 * Jackson gives (the same names, values and value classes), on hand-picked edges and on random
 * frames. Jackson's answer is the reference: where FlatJson reads a frame Jackson refuses, or
 * reads it otherwise, a client's frame would be taken where PROTOCOL.md says bad_request.
 */
class FlatJsonTest {

  private static final String[] NAMES = {"type", "room", "text", "id", "key", "data", "a", "", "é", "\\u0074ype",
      "n".repeat(257), "type"};
  private static final String[] SCALARS = {"0", "-0", "01", "-01", "7", "-7", "1.5", "1e3", "1E3", "-", "+1",
      "2147483647", "2147483648", "-2147483648", "-2147483649", "999999999999999999", "-999999999999999999",
      "1000000000000000000", "9223372036854775807", "9223372036854775808", "true", "false", "null", "tru", "nul",
      "falsey", "nulll", "{}", "[]", "{\"a\":1}", "[1,\"x\"]", "\"\"", "NaN", "Infinity", "'x'"};
  private static final String EDITS = "{}[]\",:\\0123456789atfnlue.E+- \t\n\r\f\u000b\u00a0\ufeff\u0000\u2028é\uD83D";

  @Test
  void theCommonFramesAreReadWithoutJackson() {
    for (String frame : new String[] {
        "{\"type\":\"publish\",\"id\":42,\"room\":\"lobby\",\"text\":\"hello, how is everyone doing today?\"}",
        "{\"type\":\"join\",\"room\":\"lobby\",\"history\":50}",
        "{\"type\":\"ping\"}",
        "{\"type\":\"publish\",\"id\":\"a-1\",\"room\":\"lobby\",\"text\":\"caf\u00e9 \uD83D\uDE00\",\"key\":\"k-1\"}",
        " {\r\n\t\"type\" : \"leave\" , \"room\" : \"lobby\" , \"id\" : -9007199254740991 } \n",
        "{}", "{\"a\":null,\"b\":true,\"c\":false}"}) {
      JsonObject flat = FlatJson.object(frame);
      assertNotNull(flat, frame);
      assertSame(StrictJson.jackson(frame), flat, frame);
    }
  }

  @Test
  void escapesNestedValuesAndFractionsAreLeftToJackson() {
    for (String frame : new String[] {
        "{\"type\":\"publish\",\"room\":\"lobby\",\"text\":\"say \\\"hi\\\"\"}",
        "{\"type\":\"publish\",\"room\":\"lobby\",\"data\":{\"a\":1}}",
        "{\"type\":\"join\",\"room\":\"lobby\",\"since\":{\"seq\":1,\"epoch\":\"e\"}}",
        "{\"id\":1.0}", "{\"id\":1e2}", "{\"id\":-0}", "{\"id\":1234567890123456789}",
        "{\"t\\u0079pe\":\"ping\"}", "{\"n" + "n".repeat(300) + "\":1}"}) {
      assertNull(FlatJson.object(frame), frame);
    }
  }

  @Test
  void whatJacksonRefusesIsNeverRead() {
    for (String frame : new String[] {
        "", " ", "null", "[]", "\"x\"", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,\"a\":1}", "{\"a\":1}}",
        "{\"a\":1} {}", "{\"a\":1}x", "{\"a\":01}", "{\"a\":+1}", "{\"a\":tru}", "{\"a\":truex}", "{\"a\":nul}",
        "{'a':1}", "{a:1}", "{\"a\":\"x\u0001\"}", "{\"a\":\"x\ty\"}", "{\"a\"\f:1}", "\ufeff{\"a\":1}",
        "{\"a\":1 /* c */}", "{\"a\":1}\u0000", "{\"a\":\"unterminated}", "{\"a\":1;\"b\":2}", "{\"a\"=1}",
        "{\"a\":1 \"b\":2}", "{\"a\"::1}", "{\"a\":1,,\"b\":2}", "{\"a\":\"x\"\"y\"}", "{\"a\":-}", "{\"a\":1-2}"}) {
      assertNull(FlatJson.object(frame), frame);
    }
  }

  /**
   * Random frames built from names, scalars and spacing, a third of them then edited at random
   * (a char deleted, inserted, replaced or doubled). Wherever FlatJson reads one, Jackson reads the same.
   */
  @Test
  void onRandomFramesWhatIsReadIsWhatJacksonReads() {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    int read = 0;
    int cases = 60_000;
    for (int c = 0; c < cases; c++) {
      String frame = frame(random);
      if (random.nextInt(3) == 0) {
        frame = edit(random, frame);
      }
      JsonObject flat = FlatJson.object(frame);
      if (flat == null) {
        continue;
      }
      read++;
      JsonObject jackson;
      try {
        jackson = StrictJson.jackson(frame);
      } catch (RuntimeException refused) {
        fail("seed " + seed + ": read " + flat.encode() + " from a frame Jackson refuses (" + refused.getMessage()
            + "): " + printable(frame));
        return;
      }
      assertSame(jackson, flat, "seed " + seed + ": " + printable(frame));
    }
    // the comparison proves nothing if the random frames are almost never read
    assertTrue(read > cases / 5, "seed " + seed + ": only " + read + " of " + cases + " frames read");
  }

  private static String frame(Random random) {
    StringBuilder b = new StringBuilder(space(random)).append('{');
    int fields = random.nextInt(6);
    for (int f = 0; f < fields; f++) {
      if (f > 0) {
        b.append(space(random)).append(',');
      }
      b.append(space(random)).append('"').append(NAMES[random.nextInt(NAMES.length)]).append('"')
          .append(space(random)).append(':').append(space(random)).append(value(random));
    }
    return b.append(space(random)).append('}').append(space(random)).toString();
  }

  private static String value(Random random) {
    switch (random.nextInt(4)) {
      case 0:
        return SCALARS[random.nextInt(SCALARS.length)];
      case 1: {
        int digits = 1 + random.nextInt(20);
        StringBuilder b = new StringBuilder(random.nextBoolean() ? "-" : "");
        for (int d = 0; d < digits; d++) {
          b.append((char) ('0' + random.nextInt(10)));
        }
        return b.toString();
      }
      default: {
        StringBuilder b = new StringBuilder("\"");
        for (int k = random.nextInt(12); k > 0; k--) {
          int pick = random.nextInt(20);
          b.append(pick < 14 ? (char) ('a' + random.nextInt(26)) : switch (pick) {
            case 14 -> ' ';
            case 15 -> "\\n";
            case 16 -> "\\\"";
            case 17 -> "\uD83D\uDE00";
            case 18 -> 'é';
            default -> (char) random.nextInt(0x20);
          });
        }
        return b.append('"').toString();
      }
    }
  }

  private static String space(Random random) {
    return switch (random.nextInt(8)) {
      case 0 -> " ";
      case 1 -> "\n\t ";
      case 2 -> "\r\n";
      default -> "";
    };
  }

  private static String edit(Random random, String frame) {
    StringBuilder b = new StringBuilder(frame);
    for (int e = 1 + random.nextInt(3); e > 0; e--) {
      int at = random.nextInt(b.length() + 1);
      switch (random.nextInt(4)) {
        case 0 -> {
          if (at < b.length()) {
            b.deleteCharAt(at);
          }
        }
        case 1 -> b.insert(at, random.nextBoolean() ? EDITS.charAt(random.nextInt(EDITS.length()))
            : (char) (0x20 + random.nextInt(0x5f))); // JSON's own chars, or any printable one
        case 2 -> {
          if (at < b.length()) {
            b.setCharAt(at, (char) (0x20 + random.nextInt(0x5f)));
          }
        }
        default -> {
          if (at < b.length()) {
            b.insert(at, b.charAt(at));
          }
        }
      }
    }
    return b.toString();
  }

  /** The same names in the same order, each value equal and of the same class (Integer is not Long). */
  private static void assertSame(JsonObject expected, JsonObject actual, String frame) {
    List<String> expectedNames = new ArrayList<>(expected.fieldNames());
    List<String> actualNames = new ArrayList<>(actual.fieldNames());
    assertEquals(expectedNames, actualNames, frame);
    for (Map.Entry<String, Object> e : expected.getMap().entrySet()) {
      Object mine = actual.getMap().get(e.getKey());
      assertEquals(e.getValue(), mine, frame + ": " + e.getKey());
      assertEquals(e.getValue() == null ? null : e.getValue().getClass(), mine == null ? null : mine.getClass(),
          frame + ": " + e.getKey());
    }
  }

  private static String printable(String frame) {
    StringBuilder b = new StringBuilder();
    frame.chars().forEach(ch -> b.append(ch < 0x20 || ch > 0x7e ? String.format("\\u%04x", ch) : String.valueOf((char) ch)));
    return b.toString();
  }
}
