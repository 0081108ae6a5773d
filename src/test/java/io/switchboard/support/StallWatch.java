package io.switchboard.support;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the test log when the whole test JVM stopped for seconds: a thread that wakes every
 * 200 ms and finds it slept far longer. Two CI runs had 10-15 s with no log line at all (a
 * cluster split, a welcome that never came); this tells such a stall from a lost frame, and a
 * GC (its time in the gap) from the host (the machine's steal time in the gap).
 */
final class StallWatch {

  private static final Logger LOG = LoggerFactory.getLogger(StallWatch.class);
  private static final long TICK_MS = 200;
  private static final long REPORT_OVER_MS = 2_000;
  private static boolean started;

  private StallWatch() {
  }

  /** Starts the watch once per JVM. */
  static synchronized void start() {
    if (started) {
      return;
    }
    started = true;
    Thread t = new Thread(StallWatch::watch, "stall-watch");
    t.setDaemon(true);
    t.start();
  }

  private static void watch() {
    long last = System.nanoTime();
    long gc = gcMillis();
    long steal = stealTicks();
    while (true) {
      try {
        Thread.sleep(TICK_MS); // a clock to compare with, not a wait for something
      } catch (InterruptedException e) {
        return;
      }
      long now = System.nanoTime();
      long gcNow = gcMillis();
      long stealNow = stealTicks();
      long late = (now - last) / 1_000_000 - TICK_MS;
      if (late > REPORT_OVER_MS) {
        LOG.warn("the test JVM stood still for {} ms: GC took {} ms of it, the host's steal time grew by {} ticks",
            late, gcNow - gc, stealNow < 0 || steal < 0 ? "?" : stealNow - steal);
      }
      last = now;
      gc = gcNow;
      steal = stealNow;
    }
  }

  private static long gcMillis() {
    long sum = 0;
    for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
      sum += Math.max(0, bean.getCollectionTime());
    }
    return sum;
  }

  /** The eighth number of /proc/stat's cpu line (steal), -1 where there is none. */
  private static long stealTicks() {
    try {
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      return cpu.length > 8 ? Long.parseLong(cpu[8]) : -1;
    } catch (Exception e) {
      return -1;
    }
  }
}
