package io.switchboard.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a callback of a {@link Promises#here} promise throws reaches the Vert.x exception handler. */
@ExtendWith(VertxExtension.class)
class PromisesTest {

  @Test
  void aCallbackThatThrowsIsReportedNotDropped(Vertx vertx, VertxTestContext test) {
    vertx.exceptionHandler(e -> test.verify(() -> {
      assertEquals("a callback's failure", e.getMessage());
      test.completeNow();
    }));
    vertx.runOnContext(v -> {
      Promise<String> promise = Promises.here();
      promise.future().onSuccess(s -> {
        throw new IllegalStateException("a callback's failure");
      });
      vertx.setTimer(1, t -> promise.complete("answer"));
    });
  }
}
