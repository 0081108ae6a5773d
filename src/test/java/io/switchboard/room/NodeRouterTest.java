package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Which gateway instances get a room's frames, as instances on other loops join and leave. */
class NodeRouterTest {

  private static NodeRouter.Listener listener() {
    return (NodeRouter.Listener) Proxy.newProxyInstance(NodeRouterTest.class.getClassLoader(),
        new Class<?>[] {NodeRouter.Listener.class}, (proxy, method, args) -> switch (method.getName()) {
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "listener";
          default -> null;
        });
  }

  /**
   * The answers of every gateway instance come back on the asker's context, not on the loop of
   * the instance that answered last: the reconciler's round went on there, touching state only
   * its own context may touch.
   */
  @Test
  void answersComeBackOnTheAskersContext() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      NodeRouter router = new NodeRouter();
      for (int i = 0; i < 3; i++) {
        io.vertx.core.Context own = vertx.getOrCreateContext();
        router.register((NodeRouter.Listener) Proxy.newProxyInstance(NodeRouterTest.class.getClassLoader(),
            new Class<?>[] {NodeRouter.Listener.class}, (proxy, method, args) -> switch (method.getName()) {
              case "context" -> own;
              case "connectionsOf" -> java.util.List.of(Thread.currentThread().getName());
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> null;
            }));
      }
      io.vertx.core.Context asker = vertx.getOrCreateContext();
      CompletableFuture<io.vertx.core.Context> answeredOn = new CompletableFuture<>();
      CompletableFuture<java.util.List<?>> answers = new CompletableFuture<>();
      asker.runOnContext(v -> router.ask(l -> l.connectionsOf("u")).onComplete(ar -> {
        answeredOn.complete(io.vertx.core.Vertx.currentContext());
        answers.complete(ar.result());
      }));
      assertEquals(3, answers.get(10, TimeUnit.SECONDS).size());
      assertTrue(answeredOn.get(10, TimeUnit.SECONDS) == asker, "answered on " + answeredOn.get());

      // an instance whose answer throws fails the question, on the asker's context too
      router.register((NodeRouter.Listener) Proxy.newProxyInstance(NodeRouterTest.class.getClassLoader(),
          new Class<?>[] {NodeRouter.Listener.class}, (proxy, method, args) -> switch (method.getName()) {
            case "context" -> vertx.getOrCreateContext();
            case "connectionsOf" -> throw new IllegalStateException("broken instance");
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> null;
          }));
      CompletableFuture<Throwable> failed = new CompletableFuture<>();
      asker.runOnContext(v -> router.ask(l -> l.connectionsOf("u")).onComplete(ar -> failed.complete(ar.cause())));
      assertEquals("broken instance", failed.get(10, TimeUnit.SECONDS).getMessage());
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  /**
   * One loop's first member joins while another loop's last member leaves: the first must stay
   * subscribed. It was added to the set it had looked up, which the leave could remove from the
   * map in between, and then it got no frame of the room.
   */
  @Test
  void aSubscribeRacingTheLastUnsubscribeOfAnotherInstanceStays() throws Exception {
    NodeRouter router = new NodeRouter();
    NodeRouter.Listener a = listener();
    NodeRouter.Listener b = listener();
    AtomicBoolean stop = new AtomicBoolean();
    CompletableFuture<Void> churn = CompletableFuture.runAsync(() -> {
      while (!stop.get()) {
        router.subscribe("lobby", a);
        router.unsubscribe("lobby", a);
      }
    });
    AtomicInteger lost = new AtomicInteger();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    int rounds = 0;
    while (System.nanoTime() < end) {
      router.subscribe("lobby", b);
      if (!router.listenersOf("lobby").contains(b)) {
        lost.incrementAndGet();
      }
      router.unsubscribe("lobby", b);
      rounds++;
    }
    stop.set(true);
    churn.get(5, TimeUnit.SECONDS);
    assertEquals(0, lost.get(), "subscriptions lost in " + rounds + " rounds");
    assertTrue(router.listenersOf("lobby").isEmpty());
  }

  /**
   * A loop that falls behind gets at most maxPending sequenced frames waiting; the rest are
   * dropped (read back from the log later: once caught up, it is told to), presence is not, and
   * the loop catches up.
   */
  @Test
  void aLoopBehindGetsNoMoreThanItsBoundOfMessagesWaiting() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      NodeRouter router = new NodeRouter(100, NodeRouter.MAX_PENDING_BYTES);
      io.vertx.core.Context own = vertx.getOrCreateContext();
      AtomicInteger messages = new AtomicInteger();
      AtomicInteger presence = new AtomicInteger();
      AtomicInteger toldToRead = new AtomicInteger();
      NodeRouter.Listener slow = (NodeRouter.Listener) Proxy.newProxyInstance(NodeRouterTest.class.getClassLoader(),
          new Class<?>[] {NodeRouter.Listener.class}, (proxy, method, args) -> switch (method.getName()) {
            case "context" -> own;
            case "onMessage" -> messages.incrementAndGet();
            case "onPresence" -> presence.incrementAndGet();
            case "onNodeLeft" -> toldToRead.incrementAndGet();
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> null;
          });
      router.register(slow);
      router.subscribe("busy", slow);
      java.util.concurrent.CountDownLatch held = holdLoop(own);
      for (int seq = 1; seq <= 250; seq++) {
        router.route(NodeRouter.Kind.MESSAGE, "busy", seq, "{}", "e");
      }
      router.route(NodeRouter.Kind.EVENT, "busy", 0, "{}", null);
      long dropped = router.dropped();
      held.countDown(); // before any assertion: a loop left blocked would hide its message
      assertEquals(150, dropped);
      CompletableFuture<Void> drained = new CompletableFuture<>();
      own.runOnContext(v -> drained.complete(null));
      drained.get(10, TimeUnit.SECONDS);
      assertEquals(100, messages.get(), "the bound's worth");
      assertEquals(1, presence.get(), "presence is never dropped");
      assertEquals(1, toldToRead.get(), "once it caught up, it was told to read what it missed from the logs");
      router.route(NodeRouter.Kind.MESSAGE, "busy", 251, "{}", "e");
      CompletableFuture<Void> after = new CompletableFuture<>();
      own.runOnContext(v -> after.complete(null));
      after.get(10, TimeUnit.SECONDS);
      assertEquals(101, messages.get(), "caught up, it takes frames again");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Private frames past a loop's bound are kept for it (within their own bound) and handed over
   * once it caught up, before it is told to read the logs: a conversation with no stream on that
   * loop had nothing to read a dropped one back, and it waited for the conversation's next message.
   */
  @Test
  void privateFramesPastTheBoundAreHandedOverOnceTheLoopCaughtUp() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      NodeRouter router = new NodeRouter(10, NodeRouter.MAX_PENDING_BYTES);
      io.vertx.core.Context own = vertx.getOrCreateContext();
      java.util.List<Long> got = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
      NodeRouter.Listener slow = (NodeRouter.Listener) Proxy.newProxyInstance(NodeRouterTest.class.getClassLoader(),
          new Class<?>[] {NodeRouter.Listener.class}, (proxy, method, args) -> switch (method.getName()) {
            case "context" -> own;
            case "onPrivate" -> {
              got.add((Long) args[2]);
              order.add("p" + args[2]);
              yield null;
            }
            case "onNodeLeft" -> order.add("read the logs");
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> null;
          });
      router.register(slow);
      java.util.concurrent.CountDownLatch held = holdLoop(own);
      for (int seq = 1; seq <= 30; seq++) {
        router.route(NodeRouter.Kind.PRIVATE, "dm:ann:bob", seq, "{}", null);
      }
      long dropped = router.dropped();
      held.countDown();
      assertEquals(0, dropped, "kept aside, not dropped");
      CompletableFuture<Void> drained = new CompletableFuture<>();
      own.runOnContext(v -> drained.complete(null));
      drained.get(10, TimeUnit.SECONDS);
      assertEquals(java.util.stream.LongStream.rangeClosed(1, 30).boxed().toList(),
          got.stream().sorted().toList(), "every one, once");
      int read = order.indexOf("read the logs");
      assertTrue(read >= 0, order.toString());
      for (int seq = 11; seq <= 30; seq++) {
        assertTrue(order.indexOf("p" + seq) < read, "the kept ones before the reading of the logs: " + order);
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  /** Keeps {@code loop} busy elsewhere until the latch returned is counted down. */
  private static java.util.concurrent.CountDownLatch holdLoop(io.vertx.core.Context loop) throws InterruptedException {
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch holding = new java.util.concurrent.CountDownLatch(1);
    loop.runOnContext(v -> {
      holding.countDown();
      try {
        held.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    assertTrue(holding.await(10, TimeUnit.SECONDS));
    return held;
  }

  /** The bound holds in bytes too: frames at the frame limit filled gigabytes before 100 000 of them waited. */
  @Test
  void aLoopBehindGetsNoMoreThanItsBoundOfBytesWaiting() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      NodeRouter router = new NodeRouter(100, 1_000);
      io.vertx.core.Context own = vertx.getOrCreateContext();
      AtomicInteger messages = new AtomicInteger();
      NodeRouter.Listener slow = (NodeRouter.Listener) Proxy.newProxyInstance(NodeRouterTest.class.getClassLoader(),
          new Class<?>[] {NodeRouter.Listener.class}, (proxy, method, args) -> switch (method.getName()) {
            case "context" -> own;
            case "onMessage" -> messages.incrementAndGet();
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> null;
          });
      router.register(slow);
      router.subscribe("large", slow);
      java.util.concurrent.CountDownLatch held = holdLoop(own);
      String frame = "{\"text\":\"" + "x".repeat(90) + "\"}"; // 101 bytes: 9 fit in 1 000
      for (int seq = 1; seq <= 50; seq++) {
        router.route(NodeRouter.Kind.MESSAGE, "large", seq, frame, "e");
      }
      long dropped = router.dropped();
      held.countDown();
      assertEquals(41, dropped);
      CompletableFuture<Void> drained = new CompletableFuture<>();
      own.runOnContext(v -> drained.complete(null));
      drained.get(10, TimeUnit.SECONDS);
      assertEquals(9, messages.get(), "the bound's worth of bytes");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
