package io.switchboard.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Command;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A connection's frames run one after the other; publishes that wait behind a step join one
 * batch per room, in their order, and never jump over another kind of frame.
 */
class ClientSessionQueueTest {

  private final ClientSession session = new ClientSession("s1", null, null, null, null, 0, null);
  private final List<String> ran = new ArrayList<>();

  /**
   * Nothing goes out after the close frame (RFC 6455): Vert.x calls a socket closed only once the
   * client's close frame is back, and at shutdown an ack already on its way went out after 1001.
   */
  @Test
  void nothingIsWrittenAfterTheCloseFrame() {
    List<String> got = new ArrayList<>();
    ClientSession open = new ClientSession("s2", RecordingSocket.into(got), null, null, null, 0, null);
    open.send(io.switchboard.room.EncodedFrame.of("{\"type\":\"pong\"}"));
    open.close(io.switchboard.protocol.CloseCode.GOING_AWAY);
    open.send(io.switchboard.room.EncodedFrame.of("{\"type\":\"message\"}"));
    assertEquals(List.of("{\"type\":\"pong\"}"), got);
  }

  @Test
  void publishesWaitingBehindAStepJoinOneBatchPerRunOfTheSameRoom() {
    Promise<Void> join = Promise.promise();
    step("join", join.future());
    publish("lobby", 1);
    publish("lobby", 2);
    publish("lobby", 3);
    publish("other", 4);
    publish("lobby", 5);
    step("leave", Future.succeededFuture());
    publish("lobby", 6);
    assertEquals(List.of("join"), ran, "nothing runs before the join is done");

    join.complete();
    assertEquals(List.of("join", "lobby[1, 2, 3]", "other[4]", "lobby[5]", "leave", "lobby[6]"), ran);
  }

  @Test
  void aBatchThatStartedTakesNoMorePublishes() {
    Promise<Void> stored = Promise.promise();
    publish("lobby", 1, stored.future());
    publish("lobby", 2);
    publish("lobby", 3);
    assertEquals(List.of("lobby[1]"), ran, "an idle connection's publish runs at once, alone");

    stored.complete();
    assertEquals(List.of("lobby[1]", "lobby[2, 3]"), ran);
  }

  @Test
  void aBatchHoldsAtMostMaxBatchPublishes() {
    Promise<Void> join = Promise.promise();
    step("join", join.future());
    List<Integer> all = new ArrayList<>();
    for (int i = 1; i <= SessionSteps.MAX_BATCH + 2; i++) {
      publish("lobby", i);
      all.add(i);
    }
    join.complete();
    assertEquals(List.of("join", "lobby" + all.subList(0, SessionSteps.MAX_BATCH),
        "lobby" + all.subList(SessionSteps.MAX_BATCH, all.size())), ran);
  }

  /**
   * A step that throws ends the connection with 1011 (logged); the frames queued after it are not
   * done (their publishes would be stored with no ack to a client already told to go).
   */
  @Test
  void aStepThatThrowsEndsTheConnectionWithInternalError() {
    List<io.switchboard.protocol.CloseCode> ended = new ArrayList<>();
    session.onEnd(ended::add);
    Promise<Void> join = Promise.promise();
    step("join", join.future());
    session.steps.enqueue(() -> {
      throw new IllegalStateException("a defect");
    });
    publish("lobby", 1);
    join.complete();
    assertEquals(List.of(io.switchboard.protocol.CloseCode.INTERNAL_ERROR), ended);
    assertEquals(List.of("join"), ran, "nothing after it");
  }

  /**
   * Frames wait parsed, and a large frame of small JSON values is many times its size on the
   * heap: the socket stops reading once the waiting frames' text passes MAX_QUEUED_CHARS, not only
   * at 64 frames, and reads again once half of it has run.
   */
  @Test
  void largeFramesWaitingPauseTheSocketLongBeforeSixtyFourDo() {
    List<String> calls = new ArrayList<>();
    io.vertx.core.http.ServerWebSocket ws = (io.vertx.core.http.ServerWebSocket) java.lang.reflect.Proxy.newProxyInstance(
        getClass().getClassLoader(), new Class<?>[] {io.vertx.core.http.ServerWebSocket.class}, (proxy, method, args) -> {
          if (method.getName().equals("pause") || method.getName().equals("resume")) {
            calls.add(method.getName());
          }
          return method.getReturnType() == boolean.class ? Boolean.FALSE : null;
        });
    ClientSession reader = new ClientSession("s2", ws, null, null, null, 0, null);
    Promise<Void> stalled = Promise.promise();
    reader.steps.enqueue(10, stalled::future);
    int quarter = SessionSteps.MAX_QUEUED_CHARS / 4;
    for (int i = 0; i < 3; i++) {
      reader.steps.enqueue(quarter, Future::succeededFuture);
    }
    assertEquals(List.of(), calls, "four frames, under the chars");
    reader.steps.enqueuePublish(new Command.Publish(1, "lobby", "x".repeat(quarter), null), quarter, batch -> Future.succeededFuture());
    assertEquals(List.of("pause"), calls, "five frames, past the chars");
    stalled.complete();
    assertEquals(List.of("pause", "resume"), calls, "all ran");
  }

  /**
   * A frame with a data object weighs more than its chars: its parsed tree is some twenty bytes
   * of heap a char. Two data frames of maxFrameBytes waited whole before (2.5 MB per connection).
   */
  @Test
  void aFrameWithDataCountsMoreThanItsText() {
    String frame = "{\"type\":\"publish\",\"room\":\"r\",\"data\":{}}";
    var withData = new io.switchboard.protocol.Command.Publish(1, "r", null, new io.vertx.core.json.JsonObject(), null);
    var textOnly = new io.switchboard.protocol.Command.Publish(1, "r", "hi", null, null);
    assertEquals(frame.length(), SessionSteps.queuedCost(frame, textOnly));
    assertEquals(SessionSteps.DATA_WEIGHT * frame.length(), SessionSteps.queuedCost(frame, withData));
    int quarter = SessionSteps.MAX_QUEUED_CHARS / 4;
    assertTrue(SessionSteps.queuedCost("x".repeat(quarter), withData) >= SessionSteps.MAX_QUEUED_CHARS,
        "a quarter of the chars with data is enough to stop reading");
  }

  private void step(String name, Future<Void> done) {
    session.steps.enqueue(() -> {
      ran.add(name);
      return done;
    });
  }

  private void publish(String room, int id) {
    publish(room, id, Future.succeededFuture());
  }

  private void publish(String room, int id, Future<Void> done) {
    session.steps.enqueuePublish(new Command.Publish(id, room, "t" + id, null), 1, batch -> {
      ran.add(room + batch.stream().map(Command.Publish::id).toList());
      return done;
    });
  }
}
