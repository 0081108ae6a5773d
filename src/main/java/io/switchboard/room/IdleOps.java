package io.switchboard.room;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * The operations of {@link IdleRooms} on room entries: a read-only scan for the rooms nobody is
 * in, and the removal of those chosen. Deterministic, like {@link RoomOps}: the backup of a
 * removal decides the same on its copy.
 */
public final class IdleOps {

  private IdleOps() {
  }

  /**
   * The rooms nobody is in: when the newest message of each was stored (-1: unreadable), for
   * those stored before {@code before}; {@link #UNWRITTEN} for those never written in. Nothing
   * for a room someone is in. What {@link IdleRooms} chooses from.
   */
  public static final class Idle implements EntryProcessor<String, RoomState, Long>, ReadOnly, DataSerializable {
    static final long UNWRITTEN = Long.MIN_VALUE;
    long before;
    /** Rooms someone left after this (wall-clock ms) are not idle yet: see {@link RoomState#emptiedAt}. */
    long emptiedBefore;

    public Idle() {
    }

    Idle(long before, long emptiedBefore) {
      this.before = before;
      this.emptiedBefore = emptiedBefore;
    }

    @Override
    public Long process(Map.Entry<String, RoomState> entry) {
      return of(entry.getValue(), before, emptiedBefore);
    }

    /**
     * What {@link #process} answers for {@code state}: null when someone is in it, was in it
     * after {@code emptiedBefore}, or it is recent.
     */
    static Long of(RoomState state, long before, long emptiedBefore) {
      if (state == null || state.memberCount() > 0 || state.emptiedAt() > emptiedBefore) {
        return null;
      }
      if (state.log().lastSeq() == 0) {
        return UNWRITTEN;
      }
      long newest = state.newestTime();
      return newest < before ? newest : null;
    }

    @Override
    public EntryProcessor<String, RoomState, Long> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(before);
      out.writeLong(emptiedBefore);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      before = in.readLong();
      emptiedBefore = in.readLong();
    }
  }

  /**
   * Removes a room nobody is in whose newest message was stored before {@code before}, as
   * {@link IdleRooms} chose it (past history.retention, or written longest ago at
   * history.maxRooms), if it still is; or one never written in that is still there. Its seq and
   * epoch go with it; a client that comes back with {@code since} is told {@code recovered:
   * false}, as for any other lost history. TRUE where removed, FALSE where due but still holding
   * a node's stamps (see {@link RoomOps.DropUnused}: tried again at the next sweep).
   */
  public static final class Expire implements EntryProcessor<String, RoomState, Boolean>, DataSerializable {
    long before;
    long emptiedBefore;

    public Expire() {
    }

    Expire(long before, long emptiedBefore) {
      this.before = before;
      this.emptiedBefore = emptiedBefore;
    }

    @Override
    public Boolean process(Map.Entry<String, RoomState> entry) {
      if (Idle.of(entry.getValue(), before, emptiedBefore) == null) {
        return null; // in use, or written since
      }
      return RoomOps.DropUnused.removeUnlessStamped(entry);
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeLong(before);
      out.writeLong(emptiedBefore);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      before = in.readLong();
      emptiedBefore = in.readLong();
    }
  }
}
