package io.switchboard.protocol;

/** What the codec makes of one client frame: a valid {@link Command} or a {@link Rejected} frame. */
public sealed interface Decoded permits Command, Decoded.Rejected {

  /** A frame that cannot be executed; {@code id} is null when the frame had no valid id. */
  record Rejected(Object id, ErrorCode code, String message) implements Decoded {
  }
}
