package io.switchboard.auth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** PROTOCOL.md section 2, "Room grants", and section 5 for {@code $metrics}. */
class GrantsTest {

  private final Grants grants = new Grants(false);
  private final Grants publicMetrics = new Grants(true);

  private static Identity user(String id, List<String> rooms, String... roles) {
    return new Identity(id, id, Set.of(roles), rooms, 0);
  }

  private static final Identity ANYONE = user("alice", null);
  private static final Identity ADMIN = user("root", null, Identity.ADMIN);
  private static final Identity PUBLISHER = user("bot", null, Identity.PUBLISHER);

  // ---- rooms claim

  @Test
  void withoutRoomsClaimEveryOrdinaryRoomIsGranted() {
    assertTrue(grants.mayJoin(ANYONE, "lobby"));
    assertTrue(grants.mayJoin(ANYONE, "team:ops"));
    assertTrue(grants.mayRead(ANYONE, "lobby"));
    assertTrue(grants.mayPublish(ANYONE, "lobby"));
  }

  @Test
  void withoutRoomsClaimNoSystemRoomIsGranted() {
    assertFalse(grants.mayJoin(ANYONE, "$metrics"));
    assertFalse(grants.mayJoin(ANYONE, "$ops"));
  }

  @Test
  void roomsClaimGrantsOnlyTheListedRooms() {
    Identity who = user("alice", List.of("support", "ops"));
    assertTrue(grants.mayJoin(who, "support"));
    assertTrue(grants.mayJoin(who, "ops"));
    assertFalse(grants.mayJoin(who, "lobby"));
  }

  @Test
  void roomsClaimGovernsHistoryAndPublishToo() {
    Identity who = user("alice", List.of("support"));
    assertTrue(grants.mayRead(who, "support"));
    assertFalse(grants.mayRead(who, "lobby"));
    assertTrue(grants.mayPublish(who, "support"));
    assertFalse(grants.mayPublish(who, "lobby"));
  }

  @Test
  void roomsClaimMatchesExactly() {
    Identity who = user("alice", List.of("support"));
    assertFalse(grants.mayJoin(who, "Support"));
    assertFalse(grants.mayJoin(who, "support2"));
    assertFalse(grants.mayJoin(who, "sup"));
  }

  @Test
  void emptyRoomsClaimGrantsNoRoom() {
    Identity who = user("alice", List.of());
    assertFalse(grants.mayJoin(who, "lobby"));
    assertFalse(grants.mayRead(who, "lobby"));
    assertFalse(grants.mayPublish(who, "lobby"));
  }

  @Test
  void roomsClaimNeverLimitsTheUsersOwnConversations() {
    assertTrue(grants.mayRead(user("alice", List.of()), "dm:alice:bob"));
    assertTrue(grants.mayRead(user("bob", List.of("support")), "dm:alice:bob"));
  }

  @Test
  void rolesDoNotWidenTheRoomsClaimForOrdinaryRooms() {
    Identity who = user("alice", List.of("support"), Identity.PUBLISHER);
    assertFalse(grants.mayJoin(who, "lobby"));
  }

  // ---- system rooms

  @Test
  void adminMayJoinMetrics() {
    assertTrue(grants.mayJoin(ADMIN, "$metrics"));
  }

  @Test
  void nonAdminMayNotJoinMetricsByDefault() {
    assertFalse(grants.mayJoin(ANYONE, "$metrics"));
    assertFalse(grants.mayJoin(PUBLISHER, "$metrics"));
  }

  @Test
  void publicMetricsLetsEveryoneJoinMetrics() {
    assertTrue(publicMetrics.mayJoin(ANYONE, "$metrics"));
    assertTrue(publicMetrics.mayRead(ANYONE, "$metrics"));
  }

  @Test
  void publicMetricsOpensNoOtherSystemRoom() {
    assertFalse(publicMetrics.mayJoin(ANYONE, "$ops"));
    assertTrue(publicMetrics.mayJoin(ADMIN, "$ops"));
  }

  @Test
  void otherSystemRoomsAreAdminOnly() {
    assertTrue(grants.mayJoin(ADMIN, "$audit"));
    assertFalse(grants.mayJoin(ANYONE, "$audit"));
    assertFalse(grants.mayJoin(PUBLISHER, "$audit"));
  }

  @Test
  void roomsClaimDoesNotTakeAwayTheSystemRoomsARoleAllows() {
    Identity admin = user("root", List.of("support"), Identity.ADMIN);
    assertTrue(grants.mayJoin(admin, "$metrics"));
    assertTrue(publicMetrics.mayJoin(user("alice", List.of()), "$metrics"));
  }

  @Test
  void listingASystemRoomInTheRoomsClaimDoesNotGrantIt() {
    assertFalse(grants.mayJoin(user("alice", List.of("$metrics")), "$metrics"));
  }

  @Test
  void nobodyMayPublishToASystemRoom() {
    assertFalse(grants.mayPublish(ADMIN, "$metrics"));
    assertFalse(grants.mayPublish(ADMIN, "$audit"));
    assertFalse(publicMetrics.mayPublish(ANYONE, "$metrics"));
  }

  @Test
  void adminMayPublishToOrdinaryRooms() {
    assertTrue(grants.mayPublish(ADMIN, "lobby"));
  }

  // ---- conversations

  @Test
  void conversationIsReadableByBothOfItsUsers() {
    assertTrue(grants.mayRead(user("alice", null), "dm:alice:bob"));
    assertTrue(grants.mayRead(user("bob", null), "dm:alice:bob"));
  }

  @Test
  void conversationIsNotReadableByAThirdUser() {
    assertFalse(grants.mayRead(user("carol", null), "dm:alice:bob"));
  }

  @Test
  void conversationIsNotReadableByAnAdminWhoIsNotInIt() {
    assertFalse(grants.mayRead(ADMIN, "dm:alice:bob"));
  }

  @Test
  void conversationUserMatchIsExact() {
    assertFalse(grants.mayRead(user("alic", null), "dm:alice:bob"));
    assertFalse(grants.mayRead(user("Alice", null), "dm:alice:bob"));
    assertFalse(grants.mayRead(user("alice:bob", null), "dm:alice:bob"));
  }
}
