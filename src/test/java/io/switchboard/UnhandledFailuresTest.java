package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which unhandled failures the node logs as errors, and the one of Vert.x's it does not. */
class UnhandledFailuresTest {

  @Test
  void vertxCompletingASendToALeftMemberTwiceIsNotAnError() {
    assertTrue(SwitchboardNode.sendToALeftMember(completedTwiceIn("io.vertx.core.eventbus.impl.clustered.OutboundConnection")));
  }

  @Test
  void thePromiseCompletedTwiceElsewhereIsAnError() {
    assertFalse(SwitchboardNode.sendToALeftMember(completedTwiceIn("io.switchboard.room.Fanout")));
    assertFalse(SwitchboardNode.sendToALeftMember(new IllegalStateException("something else")));
  }

  /** Vert.x's failure for a promise completed twice, thrown from a method of {@code caller}. */
  private static IllegalStateException completedTwiceIn(String caller) {
    IllegalStateException twice = new IllegalStateException("Promise already completed");
    twice.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 103),
        new StackTraceElement(caller, "write", caller.substring(caller.lastIndexOf('.') + 1) + ".java", 90)});
    return twice;
  }
}
