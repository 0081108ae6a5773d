package io.switchboard;

import io.switchboard.config.Config;
import io.switchboard.config.ConfigException;
import io.switchboard.config.ConfigLoader;
import io.vertx.core.Future;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code java -jar switchboard.jar [--conf FILE]}: starts a node and stops it cleanly on SIGTERM. */
public final class Main {

  private static final Logger LOG = LoggerFactory.getLogger(Main.class);
  /** How long SIGTERM's clean stop may take: the process exits within 10 s (DESIGN.md). */
  static final long SHUTDOWN_SECONDS = 9;

  private Main() {
  }

  public static void main(String[] args) {
    // Hazelcast logs through SLF4J from its very first line (else that one line goes to JUL)
    System.setProperty("hazelcast.logging.type", "slf4j");
    // Hazelcast runs some callbacks on the common ForkJoinPool, or on a new thread per callback
    // when that pool has parallelism 1 (as on two cores): give it at least two threads
    if (System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors())));
    }
    Future<SwitchboardNode> starting;
    try {
      Config config = ConfigLoader.load(confFile(args), System.getenv());
      io.switchboard.config.StartChecks.check(config); // keys, certificates and hosts, before the cluster
      io.switchboard.ops.LogFormat.apply(config.log().format());
      for (String ignored : ConfigLoader.ignoredVariables(System.getenv())) {
        LOG.warn("environment variable {} names no configuration key and is ignored", ignored);
      }
      // a cluster.config that cannot be read fails here, before anything joins a cluster
      starting = SwitchboardNode.start(config);
    } catch (ConfigException e) {
      System.err.println("switchboard: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    // from the start: a SIGTERM while the member joins must still let it leave cleanly
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(starting), "switchboard-shutdown"));
    try {
      SwitchboardNode node = starting.await(60, TimeUnit.SECONDS);
      // nothing brings a member back once Hazelcast shut it down: exit, and let whatever runs the
      // node start a new one (the shutdown hook closes the sockets with 1001 first)
      node.lost().onComplete(ignored -> new Thread(() -> System.exit(1), "switchboard-lost").start());
    } catch (Exception e) {
      // a timeout has no message of its own
      String why = e instanceof java.util.concurrent.TimeoutException
          ? "not started within 60 s (is the cluster's join stuck? see the lines above)" : e.getMessage();
      LOG.error("switchboard: the node could not start: {}", why, e);
      System.err.println("switchboard: the node could not start: " + why);
      System.exit(1);
    }
  }

  /** SIGTERM: a node still starting gets part of the time to finish, then the clean stop the rest. */
  private static void stop(Future<SwitchboardNode> starting) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SHUTDOWN_SECONDS);
    SwitchboardNode node;
    try {
      node = starting.await(SHUTDOWN_SECONDS / 2, TimeUnit.SECONDS);
    } catch (Exception e) {
      // a member that joined and then halts with the JVM is only found dead after
      // cluster.failureTimeout: it leaves now instead (no sockets were served yet)
      LOG.warn("stopped while starting: {}", e.toString());
      // a member still joining: shutdownAll waits for the join to end (Hazelcast's own bound is
      // 300 s), so it gets what is left of the deadline and the process exits when that is spent
      if (!runUntil(com.hazelcast.core.Hazelcast::shutdownAll, deadline)) {
        LOG.warn("the Hazelcast member had not left after {} s: exiting without it", SHUTDOWN_SECONDS);
      }
      return;
    }
    LOG.info("node {} shutting down", node.nodeId());
    try {
      node.stop().await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (Exception e) {
      LOG.warn("shutdown did not finish cleanly: {}", e.toString());
    }
  }

  /** Runs {@code task} on a daemon thread until it ends or {@code deadline} (System.nanoTime) passes: whether it ended. */
  static boolean runUntil(Runnable task, long deadline) {
    Thread thread = new Thread(task, "switchboard-leave");
    thread.setDaemon(true);
    thread.start();
    try {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  /**
   * {@code --conf FILE} or {@code --conf=FILE}; null without. Anything else stops the node: a
   * mistyped {@code --confg prod.json} started a node on the defaults, development login on.
   */
  static Path confFile(String[] args) {
    Path conf = null;
    for (int i = 0; i < args.length; i++) {
      String file;
      if ("--conf".equals(args[i])) {
        if (i + 1 >= args.length) {
          throw new ConfigException("--conf needs a file");
        }
        file = args[++i];
      } else if (args[i].startsWith("--conf=")) {
        file = args[i].substring("--conf=".length());
      } else {
        throw new ConfigException("unknown argument '" + args[i] + "'; usage: java -jar switchboard.jar [--conf FILE]");
      }
      if (conf != null) {
        throw new ConfigException("--conf is given twice");
      }
      conf = Path.of(file);
    }
    return conf;
  }
}
