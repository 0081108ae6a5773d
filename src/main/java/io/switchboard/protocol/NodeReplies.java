package io.switchboard.protocol;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The shapes of the room service's answers (direct or over the local event bus): stored messages as
 * JSON strings, members as {user, name} objects. One place writes them and one reads them, for
 * the gateways and the HTTP API alike.
 */
public final class NodeReplies {

  private NodeReplies() {
  }

  public static JsonArray members(List<Member> members) {
    JsonArray out = new JsonArray();
    members.forEach(m -> out.add(new JsonObject().put("user", m.user()).put("name", m.name())));
    return out;
  }

  /** The user ids of a reply's member list. */
  public static java.util.Set<String> users(JsonArray array) {
    java.util.Set<String> out = new java.util.HashSet<>(array.size() * 2);
    for (int i = 0; i < array.size(); i++) {
      out.add(array.getJsonObject(i).getString("user"));
    }
    return out;
  }

  public static List<Member> members(JsonArray array) {
    List<Member> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonObject m = array.getJsonObject(i);
      out.add(new Member(m.getString("user"), m.getString("name")));
    }
    return out;
  }

  public static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      out.add(array.getString(i));
    }
    return out;
  }

  public static List<JsonObject> objects(JsonArray array) {
    List<JsonObject> out = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      out.add(array.getJsonObject(i));
    }
    return out;
  }
}
