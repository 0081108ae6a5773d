package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The publish scenario's open-loop run: publishes at a fixed total rate, spread over the
 * publishers, every publish timed until its reply (Switchboard: the {@code ack}, after the
 * message is stored with its backup; the baseline: its own relayed frame, the closest thing it
 * has). The rate is stepped up; a step is sustained when ≥ 95 % of the publishes were answered
 * and p99 ≤ 1 s, and it meets the latency goal when p99 ≤ {@link #GOAL_P99_MICROS}.
 */
final class AckSteps {

  static final long GOAL_P99_MICROS = 10_000;
  private static final long GRACE_MILLIS = 2_000;

  final Recorder latency = new Recorder(3);
  final LongAdder acks = new LongAdder();
  private final Target target;

  /** Counts a reply and its publish→reply latency (replies come back in publish order per connection). */
  final Conn.Listener onReply;

  private final Clients clients;
  /** With {@code --timeline}: slow replies and the server's threads per 100 ms, for each step. */
  private final ThreadTimeline timeline;

  AckSteps(Clients clients, Target target, boolean timeline) {
    this.clients = clients;
    this.target = target;
    this.timeline = timeline ? new ThreadTimeline(target.pids()[0], GOAL_P99_MICROS) : null;
    this.onReply = (conn, text) -> {
      boolean reply = target.switchboard() ? Stamp.isAck(text) : Stamp.of(text) > 0;
      if (reply && !conn.inFlight.isEmpty()) {
        long micros = Math.max(1, (System.nanoTime() - conn.inFlight.pollFirst()) / 1000);
        latency.recordValue(micros);
        acks.increment();
        if (this.timeline != null) {
          this.timeline.reply(micros, text);
        }
      }
    };
  }

  /**
   * The warm-up, not recorded, publishes at {@code warmupRate} for {@code warmupSeconds}: the
   * server's JIT compiles on the core it serves from, and each C2 compilation of a hot method
   * holds that core for milliseconds. After 10 s at the first step's 500/s, the compiler threads
   * still took a third of the server's CPU a minute into the run (async-profiler), and their
   * turns on the core were the p99 of every step.
   */
  JsonObject run(List<Conn> publishers, int[] rates, int stepSeconds, int warmupRate, int warmupSeconds) {
    RateSteps.publishFor(clients, publishers, warmupRate, warmupSeconds, true);
    RateSteps.sleep(GRACE_MILLIS);
    JsonArray steps = new JsonArray();
    long best = 0;
    long bestWithinGoal = 0;
    long goalP99 = -1;
    for (int rate : rates) {
      acks.reset();
      latency.reset();
      double cpu0 = ServerProbe.cpuSeconds(target.pids());
      ServerProbe.Threads threads0 = ServerProbe.threads(target.pids()[0]);
      double own0 = ServerProbe.ownCpuSeconds();
      if (timeline != null) {
        timeline.start();
      }
      long sent = RateSteps.publishFor(clients, publishers, rate, stepSeconds, true);
      RateSteps.sleep(GRACE_MILLIS);
      JsonArray buckets = timeline == null ? null : timeline.stop();
      double cpu = ServerProbe.cpuSeconds(target.pids()) - cpu0;
      ServerProbe.Threads threads1 = ServerProbe.threads(target.pids()[0]);
      double own = ServerProbe.ownCpuSeconds() - own0;
      Histogram h = latency.getIntervalHistogram();
      long got = acks.sum();
      double ratio = sent == 0 ? 0 : (double) got / sent;
      long p99 = h.getValueAtPercentile(99);
      boolean sustained = ratio >= RateSteps.MIN_DELIVERED && p99 <= RateSteps.MAX_P99_MICROS;
      long perSecond = got / stepSeconds;
      if (sustained) {
        best = Math.max(best, perSecond);
      }
      if (sustained && p99 <= GOAL_P99_MICROS && perSecond > bestWithinGoal) {
        bestWithinGoal = perSecond;
        goalP99 = p99;
      }
      JsonObject step = new JsonObject().put("rate", rate).put("sent", sent).put("acked", got)
          .put("ackedRatio", RateSteps.round(ratio, 4)).put("acksPerSecond", perSecond)
          .put("p50Micros", h.getValueAtPercentile(50)).put("p99Micros", p99).put("maxMicros", h.getMaxValue())
          .put("serverCpuSeconds", RateSteps.round(cpu, 3))
          .put("serverCpuMicrosPerPublish", got == 0 ? null : RateSteps.round(cpu * 1e6 / got, 2))
          .put("serverCpuMicrosPerPublishByThread", got == 0 ? null : ServerProbe.roleDelta(threads0, threads1, (int) got))
          .put("loadGenCpuSeconds", RateSteps.round(own, 3))
          .put("sustained", sustained);
      System.out.println("  " + step.encode());
      if (buckets != null) {
        step.put("timeline", buckets);
      }
      steps.add(step);
      if (!sustained) {
        break;
      }
      // drop what a lost reply would leave behind, so the next step starts even
      clients.vertx.runOnContext(v -> publishers.forEach(c -> c.inFlight.clear()));
      RateSteps.sleep(100);
    }
    return new JsonObject().put("steps", steps).put("bestSustainedAcksPerSecond", best)
        .put("bestAcksPerSecondWithinGoal", bestWithinGoal).put("p99MicrosAtBestWithinGoal", goalP99)
        .put("goalP99Micros", GOAL_P99_MICROS);
  }
}
