package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OccupiedRoomsTest {

  private static final OccupiedRooms ROOMS = OccupiedRooms.of(Map.of(
      "lobby", 3, "Lobby", 1, "a.b@c-d", 2, "team:ops", 4, "$metrics", 1, "dm:ann:ben", 2));

  @Test
  void listsTheRoomsByNameWithoutSystemRoomsOrConversations() {
    assertEquals(List.of("Lobby", "a.b@c-d", "lobby", "team:ops"), List.copyOf(ROOMS.counts().keySet()));
    assertEquals(new JsonArray().add(room("Lobby", 1)).add(room("a.b@c-d", 2)).add(room("lobby", 3)).add(room("team:ops", 4)),
        new JsonArray(ROOMS.json()));
  }

  @Test
  void encodesAsJacksonDoes() {
    JsonArray same = new JsonArray();
    ROOMS.counts().forEach((name, users) -> same.add(room(name, users)));
    assertEquals(same.encode(), ROOMS.json());
    assertEquals("[]", OccupiedRooms.of(Map.of("$metrics", 1)).json());
  }

  @Test
  void narrowedToSomeRoomsListsThoseWithMembersByName() {
    assertEquals(new JsonArray().add(room("lobby", 3)).add(room("team:ops", 4)),
        new JsonArray(ROOMS.json(List.of("team:ops", "nobody", "lobby", "$metrics", "dm:ann:ben"))));
    assertEquals("[]", ROOMS.json(List.of()));
  }

  private static JsonObject room(String name, int users) {
    return new JsonObject().put("room", name).put("count", users);
  }
}
