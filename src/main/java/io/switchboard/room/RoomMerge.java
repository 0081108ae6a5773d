package io.switchboard.room;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a room comes back together after a split brain healed. Both sides went on storing
 * messages under the same seqs and epoch; Hazelcast's default keeps the larger side's entry and
 * drops the other's, so the smaller side's acknowledged messages were gone, and its clients held
 * seqs that now named other messages, under an epoch that said nothing had changed. Here the
 * larger side's log stays as it is; the messages only the smaller side stored (told apart by
 * their append ids) follow it with new seqs, and the room gets a new epoch, so that every client
 * reads it again ({@code recovered: false}) instead of trusting its cursor. So does a room whose
 * two sides listed different members: each side's nodes purged the other's, and told their
 * clients those members left; nothing else would tell them they are back. Two different logs
 * (the room began again on one side) merge by time instead (see mergedLogs). Members are the union
 * of both sides; each node's reconciliation round corrects them. A side that stored nothing new
 * changes nothing, when that can be told: once the larger side has let go of everything the
 * smaller one holds, nothing proves the smaller side's messages shared, and the room gets a new
 * epoch all the same (clients read it again rather than lose what cannot be told apart). Runs on
 * the partition's thread of the larger side.
 */
public final class RoomMerge extends io.switchboard.presence.BothSidesMerge<RoomState> {

  public RoomMerge() {
    // for Hazelcast
  }

  @Override
  protected RoomState both(RoomState existing, RoomState merging) {
    return merged(existing, merging, RoomStore.newEpoch());
  }

  /** {@code existing}, changed in place: {@code newEpoch} only if {@code merging} stored messages it lacks. */
  static RoomState merged(RoomState existing, RoomState merging, String newEpoch) {
    if (!existing.epoch().equals(merging.epoch())) {
      return mergedLogs(existing, merging, newEpoch);
    }
    boolean tell = existing.mustBeToldOf(merging) || merging.mustBeToldOf(existing); // before the members merge
    List<String> theirs = merging.log().all();
    long[] theirIds = merging.log().ids();
    long ourFirst = existing.log().firstSeq();
    // append id → its seq here: a message both sides stored at different seqs (a keyed publish
    // sent again on the other side) is shared, but the seqs clients hold no longer say which
    java.util.Map<Long, Long> ours = new java.util.HashMap<>();
    long[] ourIds = existing.log().ids();
    for (int i = 0; i < ourIds.length; i++) {
      ours.put(ourIds[i], ourFirst + i);
    }
    List<String> mine = existing.log().all();
    long theirFirst = merging.log().firstSeq();
    // Their messages below our oldest kept one: shared history that ours let go of, unless the
    // split came before it and ours let go of as many of its own. Only their copy of our oldest
    // kept message proves the first; otherwise their time is all that tells the second, and
    // one stored after our oldest kept message is surely theirs alone.
    int atOurFirst = (int) (ourFirst - theirFirst);
    boolean sharedBelow = atOurFirst <= 0 || (atOurFirst < theirs.size() && !mine.isEmpty()
        && (theirIds[atOurFirst] != 0 ? theirIds[atOurFirst] == ourIds[0] // the same append, at the same seq
            : sameAt(mine, ourFirst, ourFirst, theirs.get(atOurFirst))));
    long ourOldest = mine.isEmpty() ? Long.MAX_VALUE : RoomState.timeOf(mine.get(0));
    List<Integer> missing = new ArrayList<>();
    boolean moved = false;
    for (int i = 0; i < theirs.size(); i++) {
      long id = theirIds[i];
      if (theirFirst + i < ourFirst) {
        if (!sharedBelow && ourOldest >= 0 && RoomState.timeOf(theirs.get(i)) > ourOldest - CLOCK_MARGIN_MS
            && (id == 0 || !ours.containsKey(id))) {
          missing.add(i);
        }
        continue;
      }
      Long ourSeq = id != 0 ? ours.get(id) : null;
      if (id != 0 ? ourSeq == null : !sameAt(mine, ourFirst, theirFirst + i, theirs.get(i))) {
        missing.add(i);
      } else if (ourSeq != null && ourSeq != theirFirst + i) {
        moved = true;
      }
    }
    existing.adoptMembers(merging);
    if (missing.isEmpty() && sharedBelow && !moved) {
      return told(existing, tell, newEpoch); // the same log (and the ids it let go of lately)
    }
    // from here on the room has a new epoch: also when what the smaller side stored before our
    // oldest kept message cannot be told apart (and so is lost), its clients must not go on
    // trusting seqs that now name other messages
    int capacity = mine.size() + missing.size();
    MessageRing ring = MessageRing.restore(capacity, existing.log().lastSeq(), mine, ourIds);
    for (int i : missing) {
      // the frame's first "seq" is its own: "type" and "room" (no quotes allowed) come before it
      String renumbered = SEQ.matcher(theirs.get(i)).replaceFirst("\"seq\":" + (ring.lastSeq() + 1));
      ring.append(renumbered, capacity, theirIds[i]);
    }
    existing.restart(newEpoch, ring);
    return existing;
  }

  private static final Pattern SEQ = Pattern.compile("\"seq\":\\d+");
  /**
   * A message's ts is its sending node's clock, and nodes' clocks differ: one of theirs stored
   * just after our oldest kept message, through a node a little behind, read as older and was
   * dropped as shared history, an acknowledged message lost. Within this margin it is kept; a
   * shared one that comes back with it is old history again under the new epoch, not a loss.
   */
  static final long CLOCK_MARGIN_MS = 2_000;

  /**
   * Two different logs of one room: one side lost it, or removed it as idle (IdleRooms), and
   * it began again there. Neither side's seqs mean anything on the other, and appending the
   * other side's messages after ours put history a month old after today's, where it was read
   * as the newest (and made the room look idle at once). A side with nothing the other lacks
   * adds nothing but its members; otherwise both sides' messages, each side in its own order,
   * merged by {@code ts} and renumbered from 1. Either way under {@code newEpoch}: a node whose
   * stream followed the room from one log to the other on its side has left the first for good
   * (it drops that log's late frames), and kept under it, the room sent that node's members
   * nothing until they joined again.
   */
  private static RoomState mergedLogs(RoomState existing, RoomState merging, String newEpoch) {
    List<String> mine = existing.log().all();
    long[] ourIds = existing.log().ids();
    Set<Long> ours = new HashSet<>();
    for (long id : ourIds) {
      ours.add(id);
    }
    List<String> theirs = new ArrayList<>();
    List<Long> theirIds = new ArrayList<>();
    long[] ids = merging.log().ids();
    List<String> all = merging.log().all();
    for (int i = 0; i < all.size(); i++) {
      if (ids[i] == 0 || !ours.contains(ids[i])) {
        theirs.add(all.get(i));
        theirIds.add(ids[i]);
      }
    }
    if (theirs.isEmpty()) {
      existing.adoptMembers(merging);
      return told(existing, true, newEpoch);
    }
    if (mine.isEmpty()) {
      merging.adoptMembers(existing);
      return told(merging, true, newEpoch);
    }
    MessageRing ring = new MessageRing(mine.size() + theirs.size(), 0);
    int a = 0;
    int b = 0;
    while (a < mine.size() || b < theirs.size()) {
      boolean takeMine = b == theirs.size()
          || (a < mine.size() && RoomState.timeOf(mine.get(a)) <= RoomState.timeOf(theirs.get(b)));
      String message = takeMine ? mine.get(a) : theirs.get(b);
      long id = takeMine ? ourIds[a++] : theirIds.get(b++);
      ring.append(SEQ.matcher(message).replaceFirst("\"seq\":" + (ring.lastSeq() + 1)), mine.size() + theirs.size(), id);
    }
    existing.adoptMembers(merging);
    existing.restart(newEpoch, ring);
    return existing;
  }

  /**
   * {@code room}, its log as it is but under {@code newEpoch} when {@code tell}: the members the
   * other side had are not announced by anything else (each node's round finds its own
   * connections right), and a new epoch has every node that follows the room send its members a
   * fresh {@code joined} with the whole list at its next round (see RoomStreams.onTails).
   */
  private static RoomState told(RoomState room, boolean tell, String newEpoch) {
    if (tell) {
      room.restart(newEpoch, room.log());
    }
    return room;
  }

  /** A message stored without an id (before ids were kept) is the same if the same text holds its seq. */
  private static boolean sameAt(List<String> mine, long first, long seq, String message) {
    long at = seq - first;
    return at >= 0 && at < mine.size() && mine.get((int) at).equals(message);
  }
}
