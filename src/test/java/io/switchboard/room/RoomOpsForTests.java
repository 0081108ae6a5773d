package io.switchboard.room;

import com.hazelcast.core.HazelcastInstance;

/** Direct changes to the cluster's room entries, to play the drift that reconciliation repairs. */
public final class RoomOpsForTests {

  private RoomOpsForTests() {
  }

  /** Removes a node's connections from every room, as if the cluster had wrongly declared it dead. */
  public static void purge(HazelcastInstance hz, String node) {
    hz.<String, RoomState>getMap(RoomStore.MAP_NAME).executeOnEntries(new RoomOps.Purge(node));
  }

  /** Counts a connection that does not exist (a leave that was lost). */
  public static void ghostJoin(HazelcastInstance hz, String room, String user, String node) {
    hz.<String, RoomState>getMap(RoomStore.MAP_NAME).executeOnKey(room,
        new RoomJoin("e-test", 10, user, user, node, true, -1, null, 0, 0));
  }

  /**
   * Puts a room's log under a new epoch, its messages kept, telling nobody: what a split brain's
   * heal does to a room both sides wrote to (see RoomMerge).
   */
  public static void restartLog(HazelcastInstance hz, String room, String epoch) {
    hz.<String, RoomState>getMap(RoomStore.MAP_NAME).executeOnKey(room,
        (com.hazelcast.map.EntryProcessor<String, RoomState, Object>) e -> {
          RoomState state = e.getValue();
          state.restart(epoch, state.log());
          e.setValue(state);
          return null;
        });
  }

  /** Whether {@code node} knows that some program observes {@code room} (it learns it from a Hazelcast listener). */
  public static boolean observed(io.switchboard.SwitchboardNode node, String room) {
    return node.services().rooms().observers().observed(room);
  }

  /**
   * Appends a message on the room's owner alone: its backup's copy misses it, as when the backup
   * operation was lost with a connection between the members. Unlike a lost operation, this
   * leaves Hazelcast's replica versions as they were, so nothing levels the copy until the next
   * append's backup refuses (see RoomAppend#replayed): a test sees that refusal, or, with it
   * undone, the copy going on at the wrong seq for good.
   */
  public static void appendOnOwnerOnly(HazelcastInstance hz, String room, String text) throws Exception {
    io.switchboard.protocol.FrameEncoder.MessageTemplate m = io.switchboard.protocol.FrameEncoder.message(room,
        "ghost", "Ghost", null, text, null, false, io.switchboard.protocol.Timestamps.now());
    hz.<String, RoomState>getMap(RoomStore.MAP_NAME).submitToKey(room, new OwnerOnly(m.prefix(), m.suffix()))
        .toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  private static final class OwnerOnly implements com.hazelcast.map.EntryProcessor<String, RoomState, Object> {
    private final String prefix;
    private final String suffix;

    OwnerOnly(String prefix, String suffix) {
      this.prefix = prefix;
      this.suffix = suffix;
    }

    @Override
    public Object process(java.util.Map.Entry<String, RoomState> entry) {
      new RoomAppend("e-unused", 1000, prefix, suffix).process(entry);
      return null;
    }

    @Override
    public com.hazelcast.map.EntryProcessor<String, RoomState, Object> getBackupProcessor() {
      return null;
    }
  }
}
