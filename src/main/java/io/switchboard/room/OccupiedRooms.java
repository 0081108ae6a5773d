package io.switchboard.room;

import io.switchboard.protocol.FrameEncoder;
import io.switchboard.protocol.Names;
import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The rooms with members, cluster-wide, as {@code GET /api/rooms} lists them: by name, system
 * rooms and conversations left out, the whole list encoded once. Built on a worker, once per
 * scan, and shared by every caller of that scan: for 100 000 rooms, sorting and building the list
 * took some 60 ms of the room verticle's loop, and copying, filtering and encoding it 75 ms more
 * of the API's, on every request.
 */
public final class OccupiedRooms {

  private final SortedMap<String, Integer> counts;
  private final String json;

  private OccupiedRooms(SortedMap<String, Integer> counts) {
    this.counts = Collections.unmodifiableSortedMap(counts);
    this.json = FrameEncoder.roomCounts(counts.entrySet());
  }

  /** From a scan's room → users; blocking work (sorts and encodes them all). */
  static OccupiedRooms of(Map<String, Integer> scanned) {
    SortedMap<String, Integer> counts = new TreeMap<>();
    scanned.forEach((room, users) -> {
      if (!Names.isSystemRoom(room) && !Names.isConversation(room)) {
        counts.put(room, users);
      }
    });
    return new OccupiedRooms(counts);
  }

  /** Room → users, by name. */
  public SortedMap<String, Integer> counts() {
    return counts;
  }

  /** All of them, as JSON. */
  public String json() {
    return json;
  }

  /** Only those of {@code rooms} (a token's {@code rooms} claim), as JSON: a lookup each, not a pass over all. */
  public String json(Collection<String> rooms) {
    SortedMap<String, Integer> some = new TreeMap<>();
    for (String room : rooms) {
      Integer users = counts.get(room);
      if (users != null) {
        some.put(room, users);
      }
    }
    return FrameEncoder.roomCounts(some.entrySet());
  }
}
