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
  private static final String TS = "\"ts\":\"";

  private final int pid;
  private final long slowMicros;
  private final ConcurrentSkipListMap<Long, Long> slow = new ConcurrentSkipListMap<>();
  /** Of the slow replies that carry the server's {@code ts}: ms spent before it, and after it. */
  private final ConcurrentSkipListMap<Long, long[]> split = new ConcurrentSkipListMap<>();
  private final TreeMap<Long, Map<String, Long>> cpu = new TreeMap<>();
  private volatile boolean running;
  private Thread sampler;

  ThreadTimeline(int pid, long slowMicros) {
    this.pid = pid;
    this.slowMicros = slowMicros;
  }

  /**
   * A reply that took {@code micros}: counted in the bucket of now when it is slow. A slow
   * {@code ack} is also split at its {@code ts} (the server's wall clock when the publish reached
   * it, in ms; one machine, one clock): the time before it (the way in: the generator's write,
   * the kernel, the server's read) against the time after it (storage, the ack's write, the
   * generator's read).
   */
  void reply(long micros, String text) {
    if (micros <= slowMicros) {
      return;
    }
    long now = System.currentTimeMillis();
    long bucket = now / BUCKET_MS * BUCKET_MS;
    slow.merge(bucket, 1L, Long::sum);
    int at = text.indexOf(TS);
    if (at >= 0) {
      long ts = java.time.Instant.parse(text.substring(at + TS.length(), text.indexOf('"', at + TS.length())))
          .toEpochMilli();
      long[] sums = split.computeIfAbsent(bucket, b -> new long[3]);
      sums[0]++;
      sums[1] += ts - (now - micros / 1000);
      sums[2] += now - ts;
    }
  }


  void start() {
    slow.clear();
    split.clear();
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
      JsonObject bucket = new JsonObject().put("at", at).put("slow", slow.getOrDefault(at, 0L)).put("ticks", ticks);
      long[] sums = split.get(at);
      if (sums != null) {
        bucket.put("slowMsIn", sums[1] / sums[0]).put("slowMsOut", sums[2] / sums[0]);
      }
      out.add(bucket);
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
