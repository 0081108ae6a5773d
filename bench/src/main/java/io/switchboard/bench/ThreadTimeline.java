package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Stream;

/**
 * What held the server's core, and when the slow replies came, side by side in 100 ms buckets
 * of wall time: each bucket's CPU ticks (10 ms each) per thread group of the server, from
 * /proc/&lt;pid&gt;/task/*&#47;stat, and how many replies took longer than a threshold. A p99 that a
 * few pauses make can then be laid beside the threads that ran in them.
 */
final class ThreadTimeline {

  private static final long BUCKET_MS = 100;

  private final int pid;
  private final long slowMicros;
  private final ConcurrentSkipListMap<Long, Long> slow = new ConcurrentSkipListMap<>();
  private final TreeMap<Long, Map<String, Long>> cpu = new TreeMap<>();
  private volatile boolean running;
  private Thread sampler;

  ThreadTimeline(int pid, long slowMicros) {
    this.pid = pid;
    this.slowMicros = slowMicros;
  }

  /** A reply that took {@code micros}: counted in the bucket of now when it is slow. */
  void reply(long micros) {
    if (micros > slowMicros) {
      slow.merge(System.currentTimeMillis() / BUCKET_MS * BUCKET_MS, 1L, Long::sum);
    }
  }

  void start() {
    slow.clear();
    cpu.clear();
    running = true;
    sampler = new Thread(this::sample, "thread-timeline");
    sampler.setDaemon(true);
    sampler.start();
  }

  /** Stops sampling: the step's buckets, oldest first, each with its slow replies and CPU ticks. */
  JsonArray stop() {
    running = false;
    try {
      sampler.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    JsonArray out = new JsonArray();
    cpu.forEach((at, groups) -> {
      JsonObject ticks = new JsonObject();
      groups.forEach((group, n) -> {
        if (n > 0) {
          ticks.put(group, n);
        }
      });
      out.add(new JsonObject().put("at", at).put("slow", slow.getOrDefault(at, 0L)).put("ticks", ticks));
    });
    return out;
  }

  private void sample() {
    Map<String, Long> last = ticksByThread();
    while (running) {
      long next = (System.currentTimeMillis() / BUCKET_MS + 1) * BUCKET_MS;
      RateSteps.sleep(Math.max(1, next - System.currentTimeMillis()));
      Map<String, Long> now = ticksByThread();
      Map<String, Long> groups = new HashMap<>();
      for (Map.Entry<String, Long> thread : now.entrySet()) {
        groups.merge(group(thread.getKey()), thread.getValue() - last.getOrDefault(thread.getKey(), 0L), Long::sum);
      }
      cpu.put(next - BUCKET_MS, groups);
      last = now;
    }
  }

  /** "tid name" → user + system ticks, for every thread of the server. */
  private Map<String, Long> ticksByThread() {
    Map<String, Long> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      tasks.forEach(task -> {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          out.put(task.getFileName() + " " + name, ServerProbe.ticks(stat));
        } catch (IOException | RuntimeException gone) {
          // the thread ended between the listing and the read
        }
      });
    } catch (IOException e) {
      throw new IllegalStateException("no process " + pid, e);
    }
    return out;
  }

  /** "1234 vert.x-eventloop-thread-0" → "vert.x-eventloop-thread", the JFR summaries' grouping. */
  private static String group(String thread) {
    return JfrTop.group(thread.substring(thread.indexOf(' ') + 1));
  }
}
