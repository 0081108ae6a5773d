package io.switchboard.auth;

import io.switchboard.protocol.Names;

/** What a token allows, PROTOCOL.md section 2 "Room grants"; plain logic, no I/O. */
public final class Grants {

  public static final String METRICS_ROOM = Names.METRICS_ROOM;

  private final boolean metricsPublic;

  public Grants(boolean metricsPublic) {
    this.metricsPublic = metricsPublic;
  }

  /** May this identity join (and so read and list) a room? Conversations are never joined. */
  public boolean mayJoin(Identity who, String room) {
    if (Names.isSystemRoom(room)) {
      return who.hasRole(Identity.ADMIN) || (metricsPublic && METRICS_ROOM.equals(room));
    }
    return who.rooms() == null || who.rooms().contains(room);
  }

  /** Reading history: the join grant, or one of the two users of a conversation. */
  public boolean mayRead(Identity who, String room) {
    if (Names.isConversation(room)) {
      String[] users = Names.conversationUsers(room);
      return users[0].equals(who.user()) || users[1].equals(who.user());
    }
    return mayJoin(who, room);
  }

  /** System rooms are written by the nodes themselves, never by clients. */
  public boolean mayPublish(Identity who, String room) {
    return !Names.isSystemRoom(room) && mayJoin(who, room);
  }
}
