package io.switchboard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the server process costs: CPU time from /proc, heap after a full GC and RSS via jcmd. */
final class ServerProbe {

  private static final double TICKS_PER_SECOND = 100.0;
  private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

  private ServerProbe() {
  }

  /** User plus system CPU seconds of all the given processes. */
  static double cpuSeconds(int[] pids) {
    double total = 0;
    for (double each : cpuSecondsEach(pids)) {
      total += each;
    }
    return total;
  }

  /** User plus system CPU seconds of each of the given processes, in their order. */
  static double[] cpuSecondsEach(int[] pids) {
    double[] out = new double[pids.length];
    for (int i = 0; i < pids.length; i++) {
      try {
        out[i] = ticks(Files.readString(Path.of("/proc/" + pids[i] + "/stat"))) / TICKS_PER_SECOND;
      } catch (IOException e) {
        throw new IllegalStateException("no process " + pids[i], e);
      }
    }
    return out;
  }

  /** A process's CPU seconds, whole and per thread (by thread id), with each thread's role. */
  record Threads(double process, java.util.Map<String, Double> seconds, java.util.Map<String, String> roles) {
  }

  /**
   * A reading of one process's threads. A thread's role ({@code loops} for Vert.x's, {@code
   * hazelcast}, {@code jit} for the compilers, {@code gc}, {@code other}) is told by its name as the
   * kernel keeps it (15 characters).
   */
  static Threads threads(int pid) {
    java.util.Map<String, Double> seconds = new java.util.HashMap<>();
    java.util.Map<String, String> roles = new java.util.HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String tid = task.getFileName().toString();
          seconds.put(tid, ticks(stat) / TICKS_PER_SECOND);
          roles.put(tid, role(stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))));
        } catch (IOException ended) {
          // the thread ended while the folder was read: its time is in the process's total
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("no process " + pid, e);
    }
    return new Threads(cpuSecondsEach(new int[] {pid})[0], seconds, roles);
  }

  private static final List<String> ROLES = List.of("loops", "hazelcast", "jit", "gc", "other");

  static String role(String threadName) {
    if (threadName.startsWith("vert.x-")) {
      return "loops";
    }
    if (threadName.startsWith("hz.")) {
      return "hazelcast";
    }
    if (threadName.startsWith("C1 Compiler") || threadName.startsWith("C2 Compiler")) {
      return "jit";
    }
    if (threadName.startsWith("GC Thread") || threadName.startsWith("G1 ")) {
      return "gc";
    }
    return "other";
  }

  /**
   * Microseconds per item of each role between two readings. {@code exited} is what the process
   * spent that the threads alive at the second reading do not account for: threads that ended in
   * between (Hazelcast's cached threads, the JIT's dynamic compiler threads), whose role is unknown.
   */
  static io.vertx.core.json.JsonObject roleDelta(Threads before, Threads after, int items) {
    java.util.Map<String, Double> byRole = new java.util.LinkedHashMap<>();
    ROLES.forEach(role -> byRole.put(role, 0.0));
    after.seconds().forEach((tid, s) -> byRole.merge(after.roles().get(tid), s - before.seconds().getOrDefault(tid, 0.0), Double::sum));
    io.vertx.core.json.JsonObject out = new io.vertx.core.json.JsonObject();
    double threads = 0;
    for (var e : byRole.entrySet()) {
      threads += e.getValue();
      out.put(e.getKey(), RateSteps.round(e.getValue() * 1e6 / items, 1));
    }
    out.put("exited", RateSteps.round(Math.max(0, after.process() - before.process() - threads) * 1e6 / items, 1));
    return out;
  }

  /** User plus system clock ticks from a /proc stat line, of a process or of one of its threads. */
  static long ticks(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * Waits until the processes are quiet (under 5 % of a core for a second): after a warm-up the
   * JIT still compiles what the warm-up made hot, for tens of seconds on one core, and a phase
   * measured before that ends pays for it. Answers the seconds waited (at most {@code maxSeconds}).
   */
  static int awaitQuiet(int[] pids, int maxSeconds) {
    for (int waited = 0; waited < maxSeconds; waited++) {
      double before = cpuSeconds(pids);
      RateSteps.sleep(1000);
      if (cpuSeconds(pids) - before < 0.05) {
        return waited + 1;
      }
    }
    return maxSeconds;
  }

  /** The load generator's own CPU seconds: shows whether it, not the server, was the limit. */
  static double ownCpuSeconds() {
    return cpuSeconds(new int[] {(int) ProcessHandle.current().pid()});
  }

  static long rssBytes(int pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return -1;
  }

  /** Heap in use right after a full collection. */
  static long heapAfterGc(int pid) {
    jcmd(pid, "GC.run");
    Matcher m = HEAP_USED.matcher(jcmd(pid, "GC.heap_info"));
    return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
  }

  /** The top lines of the class histogram: where the heap goes. */
  static List<String> histogram(int pid, int lines) {
    List<String> out = new ArrayList<>();
    for (String line : jcmd(pid, "GC.class_histogram").split("\n")) {
      if (line.trim().matches("\\d+:.*") && out.size() < lines) {
        out.add(line.trim());
      }
    }
    return out;
  }

  static String jcmd(int pid, String command) {
    try {
      Process p = new ProcessBuilder("jcmd", String.valueOf(pid), command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      return out;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
