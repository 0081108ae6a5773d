package io.switchboard.ops;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * A warning that may fire for every request (a stalled cluster fails them all, thousands a
 * second) written at most once a second, with how many like it were left out. Safe from any
 * thread: the gateways' event loops share one.
 */
public final class ThrottledLog {

  private final Logger log;
  private final long intervalMs;
  private final LongSupplier clock;
  private final AtomicLong nextAt = new AtomicLong(Long.MIN_VALUE);
  private final AtomicInteger skipped = new AtomicInteger();

  public ThrottledLog(Logger log) {
    this(log, 1_000, Clocks::monotonicMillis);
  }

  ThrottledLog(Logger log, long intervalMs, LongSupplier clock) {
    this.log = log;
    this.intervalMs = intervalMs;
    this.clock = clock;
  }

  public void warn(String format, Object... args) {
    write(org.slf4j.event.Level.WARN, format, args);
  }

  /** As {@link #warn}, at ERROR: for failures that are defects, not load. */
  public void error(String format, Object... args) {
    write(org.slf4j.event.Level.ERROR, format, args);
  }

  /** As {@link #warn}, at INFO: for what a client did to itself (closed as a slow consumer, for abuse). */
  public void info(String format, Object... args) {
    write(org.slf4j.event.Level.INFO, format, args);
  }

  private void write(org.slf4j.event.Level level, String format, Object... args) {
    long now = clock.getAsLong();
    long due = nextAt.get();
    if (now < due || !nextAt.compareAndSet(due, now + intervalMs)) {
      skipped.incrementAndGet();
      return;
    }
    int left = skipped.getAndSet(0);
    if (left == 0) {
      emit(level, format, args);
    } else {
      // the count goes before a trailing Throwable, which SLF4J prints as the stack trace
      boolean trace = args.length > 0 && args[args.length - 1] instanceof Throwable;
      int at = trace ? args.length - 1 : args.length;
      Object[] all = Arrays.copyOf(args, args.length + 1);
      if (trace) {
        all[args.length] = args[at];
      }
      all[at] = left;
      emit(level, format + " ({} more like it since the last)", all);
    }
  }

  private void emit(org.slf4j.event.Level level, String format, Object... args) {
    switch (level) {
      case ERROR -> log.error(format, args);
      case WARN -> log.warn(format, args);
      default -> log.info(format, args);
    }
  }
}
