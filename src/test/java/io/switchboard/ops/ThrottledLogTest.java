package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ThrottledLogTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger("throttled-log-test");
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private final AtomicLong now = new AtomicLong(10_000);
  private final ThrottledLog log = new ThrottledLog(logger, 1_000, now::get);

  @BeforeEach
  void listen() {
    lines.start();
    logger.addAppender(lines);
  }

  @AfterEach
  void stopListening() {
    logger.detachAppender(lines);
  }

  @Test
  void writesOneLineAnIntervalAndCountsTheRest() {
    for (int i = 0; i < 500; i++) {
      log.warn("request {} failed", i);
    }
    now.addAndGet(999);
    log.warn("request {} failed", 500);
    assertEquals(1, lines.list.size(), "one line within the interval");
    assertEquals("request 0 failed", lines.list.get(0).getFormattedMessage());

    now.addAndGet(1);
    log.warn("request {} failed", 501);
    assertEquals(2, lines.list.size());
    assertEquals("request 501 failed (500 more like it since the last)", lines.list.get(1).getFormattedMessage());
  }
  /** A trailing Throwable stays the stack trace: the count of lines left out goes before it. */
  @Test
  void aTrailingThrowableStaysTheStackTrace() {
    IllegalStateException bug = new IllegalStateException("bug");
    log.warn("GET {} failed", "/a", bug);
    log.warn("GET {} failed", "/b", bug);
    now.addAndGet(1_000);
    log.warn("GET {} failed", "/c", bug);
    assertEquals(2, lines.list.size());
    assertEquals("GET /c failed (1 more like it since the last)", lines.list.get(1).getFormattedMessage());
    assertEquals("bug", lines.list.get(1).getThrowableProxy().getMessage());
    assertEquals("bug", lines.list.get(0).getThrowableProxy().getMessage());
  }
}
