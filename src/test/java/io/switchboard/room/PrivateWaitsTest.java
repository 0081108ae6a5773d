package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.Addresses;
import org.junit.jupiter.api.Test;

/**
 * A stored private message is answered {@code ack} before the caller's deadline, however late
 * its append answered: its look-up of the users' nodes and its conversation's note wait only
 * for what is left. An append may answer up to about 4.5 s after the call; the look-up's half
 * second and the note's second after that ran past the 5 s deadline, and the sender was told
 * "nothing was stored" of a message that was stored and delivered.
 */
class PrivateWaitsTest {

  @Test
  void aStoredPrivateMessageIsAnsweredBeforeTheCallersDeadline() {
    long deadline = Addresses.LOCAL_REQUEST.getSendTimeout();
    for (long elapsed = 0; elapsed <= deadline + 1_000; elapsed += 50) {
      long waits = Math.max(PrivateMessages.lookupWaitMs(elapsed), PrivateMessages.noteWaitMs(elapsed));
      assertTrue(elapsed + waits < deadline, "stored after " + elapsed + " ms, waits " + waits + " ms more");
    }
  }

  @Test
  void aPromptStoreLeavesTheLookUpTheStoresWindowAndTheNoteItsSecond() {
    assertEquals(RoomStore.STORE_WINDOW_MS - 100, PrivateMessages.lookupWaitMs(100));
    assertEquals(500, PrivateMessages.lookupWaitMs(RoomStore.STORE_WINDOW_MS), "at least half a second");
    assertEquals(1_000, PrivateMessages.noteWaitMs(100));
  }
}
