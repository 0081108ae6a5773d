package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

  private static final DateTimeFormatter REFERENCE =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @ParameterizedTest
  @ValueSource(longs = {0L, 1L, 999L, 1000L, 86_399_999L, 86_400_000L, -1L, 951_782_400_000L /* 2000-02-29 */,
      1_709_164_799_999L /* 2024-02-28T23:59:59.999 */, 1_735_689_599_999L /* 2024-12-31T23:59:59.999 */,
      253_402_300_799_999L /* 9999-12-31T23:59:59.999 */, -62_167_219_200_000L /* 0000-01-01 */})
  void edgesAreWrittenAsIso8601WithMilliseconds(long millis) {
    assertEquals(REFERENCE.format(Instant.ofEpochMilli(millis)), Timestamps.format(millis));
  }

  @Test
  void anyInstantOfFourDigitYearsMatchesTheReference() {
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 100_000; i++) {
      long millis = random.nextLong(-62_167_219_200_000L, 253_402_300_800_000L);
      assertEquals(REFERENCE.format(Instant.ofEpochMilli(millis)), Timestamps.format(millis), "at " + millis);
    }
  }

  @Test
  void yearsBeyondFourDigitsFallBackToTheFormatter() {
    assertEquals("0001-12-31T23:59:59.999Z", Timestamps.format(-62_135_596_800_001L)); // year 0 is 1 BC: year-of-era 1
    long year10000 = 253_402_300_800_000L;
    assertEquals(REFERENCE.format(Instant.ofEpochMilli(year10000)), Timestamps.format(year10000));
  }

  @Test
  void theSameMillisecondGivesTheSameString() {
    String first = Timestamps.format(1_700_000_000_123L);
    assertSame(first, Timestamps.format(1_700_000_000_123L));
    assertEquals("2023-11-14T22:13:20.124Z", Timestamps.format(1_700_000_000_124L));
  }
}
