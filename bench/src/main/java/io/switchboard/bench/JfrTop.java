package io.switchboard.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the server's CPU went, from a JFR recording: the hottest top-of-stack methods, and the
 * Switchboard methods that the samples were under (the first io.switchboard frame of each stack).
 */
public final class JfrTop {

  private static final int LINES = 25;

  private JfrTop() {
  }

  public static void main(String[] args) throws Exception {
    Map<String, Integer> top = new HashMap<>();
    Map<String, Integer> ours = new HashMap<>();
    int samples = 0;
    for (RecordedEvent event : RecordingFile.readAllEvents(Path.of(args[0]))) {
      if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
        continue;
      }
      List<RecordedFrame> frames = event.getStackTrace().getFrames();
      if (frames.isEmpty()) {
        continue;
      }
      samples++;
      top.merge(name(frames.get(0)), 1, Integer::sum);
      frames.stream().map(JfrTop::name).filter(n -> n.startsWith("io.switchboard.")).findFirst()
          .ifPresentOrElse(n -> ours.merge(n, 1, Integer::sum), () -> ours.merge("(no Switchboard frame)", 1, Integer::sum));
    }
    System.out.println("CPU samples: " + samples);
    print("Hottest methods (top of stack)", top, samples);
    print("Under which Switchboard method (innermost io.switchboard frame)", ours, samples);
  }

  private static String name(RecordedFrame frame) {
    return frame.getMethod().getType().getName() + "." + frame.getMethod().getName();
  }

  private static void print(String title, Map<String, Integer> counts, int samples) {
    System.out.println();
    System.out.println(title + ":");
    counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(LINES)
        .forEach(e -> System.out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / Math.max(1, samples), e.getKey()));
  }
}
