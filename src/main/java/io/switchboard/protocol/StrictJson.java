package io.switchboard.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;
import java.io.IOException;

/**
 * A client's JSON (a frame, an HTTP body) read as RFC 8259 has it. Vert.x's own parser takes
 * {@code /* … *}{@code /} and {@code //} comments, so a frame that is not JSON was stored and relayed
 * where PROTOCOL.md says {@code bad_request}. Jackson's defaults refuse them, and every other
 * leniency, under the same read limits (nesting, number and string lengths) as Vert.x's.
 */
public final class StrictJson {

  private static final JsonFactory FACTORY = new JsonFactory();

  private StrictJson() {
  }

  /** The object {@code text} holds; {@link DecodeException} when it is not one JSON object. */
  public static JsonObject object(String text) {
    JsonObject flat = FlatJson.object(text); // most frames: read without Jackson
    return flat != null ? flat : jackson(text);
  }

  /** As {@link #object(String)}, always read by Jackson. */
  static JsonObject jackson(String text) {
    try {
      return asObject(JacksonCodec.fromParser(FACTORY.createParser(text), Object.class));
    } catch (IOException e) {
      throw new DecodeException("Failed to decode: " + e.getMessage());
    }
  }

  /** Vert.x's parser gives an object as a JsonObject; null stays null; anything else is not one. */
  private static JsonObject asObject(Object value) {
    if (value == null || value instanceof JsonObject) {
      return (JsonObject) value;
    }
    throw new DecodeException("not a JSON object");
  }

  /** As {@link #object(String)}, for a body's bytes (UTF-8, as JSON's are); null for no or an empty body. */
  public static JsonObject object(Buffer bytes) {
    if (bytes == null || bytes.length() == 0) {
      return null;
    }
    try {
      return asObject(JacksonCodec.fromParser(FACTORY.createParser(bytes.getBytes()), Object.class));
    } catch (IOException e) {
      throw new DecodeException("Failed to decode: " + e.getMessage());
    }
  }
}
