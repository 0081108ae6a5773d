package io.switchboard.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the server's CPU went, from a JFR recording: the hottest top-of-stack methods, the
 * hottest short stacks (who called them), the Switchboard methods that the samples were under
 * (the first io.switchboard frame of each stack), and the CPU per thread, which also shows what
 * execution samples cannot: JIT compiler and GC threads, and time in system calls.
 */
public final class JfrTop {

  private static final int LINES = 25;
  private static final int STACK_DEPTH = 4;

  private JfrTop() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, Integer> top = new HashMap<>();
    Map<String, Integer> stacks = new HashMap<>();
    Map<String, Integer> ours = new HashMap<>();
    Map<String, double[]> threads = new HashMap<>();
    int samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
      String type = event.getEventType().getName();
      if (type.equals("jdk.ThreadCPULoad") && event.getThread() != null) {
        double[] sum = threads.computeIfAbsent(group(event.getThread().getJavaName()), k -> new double[2]);
        sum[0] += event.getFloat("user") + event.getFloat("system");
        sum[1]++;
        continue;
      }
      if (!type.equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = event.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      samples++;
      top.merge(name(frames.get(0)), 1, Integer::sum);
      stacks.merge(frames.stream().limit(STACK_DEPTH).map(JfrTop::name).collect(Collectors.joining("\n          ← ")),
          1, Integer::sum);
      frames.stream().map(JfrTop::name).filter(n -> n.startsWith("io.switchboard.")).findFirst()
          .ifPresentOrElse(n -> ours.merge(n, 1, Integer::sum), () -> ours.merge("(no Switchboard frame)", 1, Integer::sum));
    }
    System.out.println("CPU samples: " + samples);
    print("Hottest methods (top of stack)", top, samples, LINES);
    print("Under which Switchboard method (innermost io.switchboard frame)", ours, samples, LINES);
    print("Hottest stacks (top " + STACK_DEPTH + " frames)", stacks, samples, 12);
    System.out.println();
    System.out.println("CPU per thread group (JFR ThreadCPULoad; share of one core, averaged over the recording):");
    threads.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0])).limit(12)
        .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100 * e.getValue()[0] / maxSamples(threads), e.getKey()));
  }

  /** Threads of one pool count together: "vert.x-eventloop-thread-0" and "-1" are one line. */
  static String group(String thread) {
    return thread == null ? "?" : thread.replaceAll("[-#. ]?\\d+$", "").replaceAll("\\d+", "N");
  }

  /** The number of CPU load readings per thread: the recording's length in readings. */
  private static double maxSamples(Map<String, double[]> threads) {
    return Math.max(1, threads.values().stream().mapToDouble(v -> v[1]).max().orElse(1));
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> counts, int samples, int lines) {
    System.out.println();
    System.out.println(title + ":");
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(lines)
        .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getKey()));
  }
}
