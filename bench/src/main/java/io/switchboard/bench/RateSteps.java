package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The stepped-rate run shared by fanout, rooms and cluster: publish at each rate for a few
 * seconds, wait for stragglers, and record what arrived, how late, and what it cost the server.
 * A step is sustained when at least 95 % of the deliveries arrived and p99 is at most 1 s; the
 * run stops after the first step that is not.
 */
final class RateSteps {

  static final double MIN_DELIVERED = 0.95;
  static final long MAX_P99_MICROS = 1_000_000;
  private static final long GRACE_MILLIS = 2_000;
  private static final int WARMUP_SECONDS = 10;

  final Recorder latency = new Recorder(3);
  final LongAdder delivered = new LongAdder();

  /** Counts a delivery and its publish→delivery latency. */
  final Conn.Listener receiver = (conn, text) -> {
    long sent = Stamp.of(text);
    if (sent > 0) {
      latency.recordValue(Math.max(1, (System.nanoTime() - sent) / 1000));
      delivered.increment();
    }
  };

  private final Clients clients;
  private final Target target;

  RateSteps(Clients clients, Target target) {
    this.clients = clients;
    this.target = target;
  }

  /**
   * @param rates messages per second, all publishers together
   * @param fanout deliveries expected per message
   */
  JsonObject run(List<Conn> publishers, int[] rates, int stepSeconds, int fanout) {
    // warm-up, not recorded: the server's JIT compiles on the same core it serves from
    publishFor(clients, publishers, rates[0], WARMUP_SECONDS, false);
    sleep(GRACE_MILLIS);
    JsonArray steps = new JsonArray();
    long best = 0;
    for (int rate : rates) {
      delivered.reset();
      latency.reset();
      double[] cpu0 = ServerProbe.cpuSecondsEach(target.pids());
      double own0 = ServerProbe.ownCpuSeconds();
      long sent = publishFor(clients, publishers, rate, stepSeconds, false);
      sleep(GRACE_MILLIS);
      double[] cpu1 = ServerProbe.cpuSecondsEach(target.pids());
      JsonArray perNode = new JsonArray();
      double cpu = 0;
      for (int i = 0; i < cpu1.length; i++) {
        perNode.add(round(cpu1[i] - cpu0[i], 3));
        cpu += cpu1[i] - cpu0[i];
      }
      double own = ServerProbe.ownCpuSeconds() - own0;
      Histogram h = latency.getIntervalHistogram();
      long got = delivered.sum();
      long expected = sent * fanout;
      double ratio = expected == 0 ? 0 : (double) got / expected;
      long p99 = h.getValueAtPercentile(99);
      boolean sustained = ratio >= MIN_DELIVERED && p99 <= MAX_P99_MICROS;
      long perSecond = got / stepSeconds;
      if (sustained) {
        best = Math.max(best, perSecond);
      }
      JsonObject step = new JsonObject().put("rate", rate).put("sent", sent).put("expected", expected)
          .put("delivered", got).put("deliveredRatio", round(ratio, 4)).put("deliveriesPerSecond", perSecond)
          .put("p50Micros", h.getValueAtPercentile(50)).put("p99Micros", p99).put("maxMicros", h.getMaxValue())
          .put("serverCpuSeconds", round(cpu, 3)).put("serverCpuSecondsPerNode", perNode)
          .put("serverCpuMicrosPerDelivery", got == 0 ? null : round(cpu * 1e6 / got, 3))
          .put("loadGenCpuSeconds", round(own, 3))
          .put("sustained", sustained);
      steps.add(step);
      System.out.println("  " + step.encode());
      if (!sustained) {
        break;
      }
    }
    return new JsonObject().put("steps", steps).put("bestSustainedDeliveriesPerSecond", best);
  }

  /**
   * The schedule's tick. At 5 ms, every publisher sent in the same instant: at 20 000/s into
   * 100 rooms, a burst of 100 publishes every 5 ms, whose last one waited for the other 99 (both
   * servers' p50 was the burst's length). At 1 ms the same rate arrives spread out, as it does
   * from clients that do not share a clock.
   */
  static final long TICK_MS = Long.getLong("bench.tickMs", 1);

  /**
   * Publishes {@code rate} messages a second, spread over the publishers, for {@code seconds}
   * (open loop: the schedule does not wait for replies); {@code track}: time each until its ack.
   */
  static long publishFor(Clients clients, List<Conn> publishers, int rate, int seconds, boolean track) {
    java.util.concurrent.atomic.AtomicLong sent = new java.util.concurrent.atomic.AtomicLong();
    int[] cursor = {0};
    long start = System.nanoTime();
    long timer = clients.vertx.setPeriodic(TICK_MS, id -> {
      long due = (long) (rate * ((System.nanoTime() - start) / 1e9));
      while (sent.get() < due) {
        publishers.get(cursor[0]++ % publishers.size()).publish(track);
        sent.incrementAndGet();
      }
    });
    sleep(seconds * 1000L);
    clients.vertx.cancelTimer(timer);
    sleep(50); // a tick that was running when the timer was cancelled has finished
    return sent.get();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }
}
