package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which unhandled failures the node logs as errors, and the one of Vert.x's it does not. */
class UnhandledFailuresTest {

  @Test
  void vertxCompletingASendToALeftMemberTwiceIsNotAnError() {
    IllegalStateException twice = new IllegalStateException("Promise already completed");
    twice.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 103),
        new StackTraceElement("io.vertx.core.eventbus.impl.clustered.OutboundConnection", "writeMessage", "OutboundConnection.java", 86)});
    assertTrue(SwitchboardNode.sendToALeftMember(twice));
  }

  @Test
  void thePromiseCompletedTwiceElsewhereIsAnError() {
    IllegalStateException ours = new IllegalStateException("Promise already completed");
    ours.setStackTrace(new StackTraceElement[] {
        new StackTraceElement("io.vertx.core.Promise", "fail", "Promise.java", 103),
        new StackTraceElement("io.switchboard.room.Fanout", "write", "Fanout.java", 99)});
    assertFalse(SwitchboardNode.sendToALeftMember(ours));
    assertFalse(SwitchboardNode.sendToALeftMember(new IllegalStateException("something else")));
  }
}
