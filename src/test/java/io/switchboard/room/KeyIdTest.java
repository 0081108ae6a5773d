package io.switchboard.room;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** A key names what a message says, not how it was written down. */
class KeyIdTest {

  @Test
  void theSameMessageSentAgainHasTheSameId() {
    JsonObject data = new JsonObject().put("b", 1).put("a", new JsonObject().put("y", 2).put("x", new JsonArray().add(3)));
    JsonObject reordered = new JsonObject().put("a", new JsonObject().put("x", new JsonArray().add(3)).put("y", 2)).put("b", 1);
    long id = MessageKeys.keyId("ann", "lobby", "k", "hi", data);
    assertEquals(id, MessageKeys.keyId("ann", "lobby", "k", "hi", reordered), "data's field order is not what it says");
    assertEquals(0, MessageKeys.keyId("ann", "lobby", null, "hi", data), "no key: no id");
  }

  @Test
  void anythingElseIsAnotherMessage() {
    long id = MessageKeys.keyId("ann", "lobby", "k", "hi", null);
    assertNotEquals(id, MessageKeys.keyId("bob", "lobby", "k", "hi", null));
    assertNotEquals(id, MessageKeys.keyId("ann", "other", "k", "hi", null));
    assertNotEquals(id, MessageKeys.keyId("ann", "lobby", "k2", "hi", null));
    assertNotEquals(id, MessageKeys.keyId("ann", "lobby", "k", "hi!", null));
    assertNotEquals(id, MessageKeys.keyId("ann", "lobby", "k", "hi", new JsonObject()));
    assertNotEquals(id, MessageKeys.keyId("ann", "lobby", "k", null, new JsonObject().put("t", "hi")));
    // lone surrogates stay apart (UTF-8 would make both '?')
    assertNotEquals(MessageKeys.keyId("ann", "lobby", "a\uD800", "hi", null), MessageKeys.keyId("ann", "lobby", "a\uDFFF", "hi", null));
    assertEquals("{\"a\":[1,{\"b\":null,\"c\":\"x\"}]}", MessageKeys.canonical(new JsonObject()
        .put("a", new JsonArray().add(1).add(new JsonObject().put("c", "x").putNull("b")))));
  }
}
