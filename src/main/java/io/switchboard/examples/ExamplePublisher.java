package io.switchboard.examples;

import io.switchboard.Addresses;
import io.switchboard.ClusterSetup;
import io.switchboard.config.Config;
import io.switchboard.config.ConfigLoader;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.concurrent.TimeUnit;

/**
 * A program that publishes into Switchboard over the event bus: it joins the cluster as a
 * Hazelcast lite member (it holds no data), sends a message every few seconds to
 * {@code switchboard.publish}, and prints each reply.
 *
 * <pre>
 * java -cp target/switchboard.jar io.switchboard.examples.ExamplePublisher lobby [every-ms] [count]
 * </pre>
 *
 * It reads the same {@code SWITCHBOARD_*} variables as a node (cluster name, cluster.xml).
 * Whoever can join the cluster can publish as anyone: keep the cluster network private.
 */
public final class ExamplePublisher {

  private ExamplePublisher() {
  }

  public static void main(String[] args) throws Exception {
    String room = args.length > 0 ? args[0] : "lobby";
    long everyMs = Math.max(1, args.length > 1 ? Long.parseLong(args[1]) : 3_000); // a timer takes 1 ms at least
    int count = args.length > 2 ? Integer.parseInt(args[2]) : Integer.MAX_VALUE;

    Config config = ConfigLoader.load(null, System.getenv());
    com.hazelcast.config.Config hz = ClusterSetup.hazelcast(config);
    hz.setLiteMember(true);
    VertxOptions options = new VertxOptions();
    options.getEventBusOptions().setHost(config.cluster().host()).setPort(0);
    Vertx vertx = Vertx.builder().with(options).withClusterManager(new HazelcastClusterManager(hz))
        .buildClustered().await(60, TimeUnit.SECONDS);
    System.out.println("joined cluster '" + config.cluster().name() + "', publishing to '" + room + "'");
    // the cluster set-up is a node's, whose own stop leaves the cluster (no Hazelcast hook): on
    // Ctrl-C this program leaves too, rather than being taken for a crash after failureTimeout
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        vertx.close().await(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        System.out.println("left without a goodbye: the cluster did not answer within 10 s");
      }
    }));

    publish(vertx, room, everyMs, count, 1, 1);
  }

  /**
   * Publishes message {@code n}, and the next one {@code everyMs} after its reply: one at a time,
   * so they are stored in the order they were sent (two requests in flight may take different
   * nodes, and the first one to a node also opens the connection to it).
   */
  private static void publish(Vertx vertx, String room, long everyMs, int count, int n, long delayMs) {
    vertx.setTimer(delayMs, timer -> {
      JsonObject message = new JsonObject().put("room", room).put("from", "example-bot").put("name", "Example bot")
          .put("text", "tick " + n).put("data", new JsonObject().put("n", n));
      vertx.eventBus().<JsonObject>request(Addresses.PUBLISH, message)
          .onSuccess(reply -> System.out.println("published: " + reply.body().encode()))
          .onFailure(e -> System.out.println("refused: " + e.getMessage()))
          .onComplete(ar -> {
            if (n >= count) {
              vertx.close().onComplete(closed -> System.exit(0));
            } else {
              publish(vertx, room, everyMs, count, n + 1, everyMs);
            }
          });
    });
  }
}
