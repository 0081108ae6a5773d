package io.switchboard.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.switchboard.protocol.CloseCode;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Switchboard's own meters, in the node's Prometheus registry (which Vert.x also fills with its
 * JVM, pool and event bus metrics; its HTTP and TCP server metrics are off, see SwitchboardNode).
 * Counters are thread-safe; any event loop may count. Names follow Prometheus conventions once exported ({@code switchboard_messages_in_total}).
 */
public final class NodeMetrics {

  private final PrometheusMeterRegistry registry;
  private final Counter opened;
  private final Map<CloseCode, Counter> closed = new EnumMap<>(CloseCode.class);
  private final java.util.concurrent.atomic.AtomicInteger conversations = new java.util.concurrent.atomic.AtomicInteger();
  private final Counter closedByClient;
  private final Counter messagesIn;
  private final Counter messagesOut;
  private final Counter bytesOut;
  private final Counter rateLimited;
  private final Counter slowConsumers;
  private final Counter httpRequests;
  private final Timer publishToAck;
  private final Timer fanout;

  public NodeMetrics() {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    opened = Counter.builder("switchboard.connections.opened").description("WebSocket connections welcomed (refusals are counted only among the closed)")
        .register(registry);
    for (CloseCode code : CloseCode.values()) {
      closed.put(code, closeCounter(Integer.toString(code.code()), code.reason()));
    }
    closedByClient = closeCounter("client", "closed by the client");
    gauge("switchboard.conversations", "private conversations with a stream on this node", conversations::get);
    messagesIn = Counter.builder("switchboard.messages.in").description("messages accepted and stored (rooms and private)")
        .register(registry);
    messagesOut = Counter.builder("switchboard.messages.out").description("message frames written to sockets")
        .register(registry);
    bytesOut = Counter.builder("switchboard.written").baseUnit("bytes").description("message bytes written to sockets")
        .register(registry);
    rateLimited = Counter.builder("switchboard.rate.limited")
        .description("requests refused for their rate: frames and API calls answered rate_limited, a user's connects over"
            + " its rate refused 1013")
        .register(registry);
    slowConsumers = Counter.builder("switchboard.slow.consumers").description("connections closed with 4002")
        .register(registry);
    httpRequests = Counter.builder("switchboard.http.requests").description("HTTP requests taken up by the routes (WebSocket upgrades are counted as connections)")
        .register(registry);
    publishToAck = Timer.builder("switchboard.publish.ack").description("from a publish reaching the node to its ack")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    fanout = Timer.builder("switchboard.fanout").description("the writes of a message to a room's members on one event loop, once it is next in order")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(5)).register(registry);
  }

  private Counter closeCounter(String code, String reason) {
    return Counter.builder("switchboard.connections.closed").tag("code", code).tag("reason", reason)
        .description("WebSocket connections closed, by close code, refusals before the welcome included").register(registry);
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public MeterRegistry meters() {
    return registry;
  }

  /** Private conversations with a stream on this node, all gateways together. */
  public java.util.concurrent.atomic.AtomicInteger conversations() {
    return conversations;
  }

  /** A gauge read at scrape time. */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  public void opened() {
    opened.increment();
  }

  /** {@code code} null: the client closed (or the connection dropped). */
  public void closed(CloseCode code) {
    (code == null ? closedByClient : closed.get(code)).increment();
    if (code == CloseCode.SLOW_CONSUMER) {
      slowConsumers.increment();
    }
  }

  public void httpRequest() {
    httpRequests.increment();
  }

  public double httpRequestsTotal() {
    return httpRequests.count();
  }

  public void messageIn() {
    messagesIn.increment();
  }

  public void delivered(int frames, long bytes) {
    messagesOut.increment(frames);
    bytesOut.increment(bytes);
  }

  public void rateLimited() {
    rateLimited.increment();
  }

  public void publishAcked(long nanos) {
    publishToAck.record(Duration.ofNanos(nanos));
  }

  public void fannedOut(long nanos) {
    fanout.record(Duration.ofNanos(nanos));
  }

  /** Totals for the $metrics ticker. */
  public double messagesInTotal() {
    return messagesIn.count();
  }

  public double messagesOutTotal() {
    return messagesOut.count();
  }
}
