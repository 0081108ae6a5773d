package io.switchboard.protocol;

/** PROTOCOL.md section 3: close codes with their binding reasons. */
public enum CloseCode {
  NORMAL(1000, "normal"),
  GOING_AWAY(1001, "going away"),
  /** Broken WebSocket framing (an unmasked frame, reserved bits, an unknown opcode): RFC 6455's code. */
  PROTOCOL_ERROR(1002, "protocol error"),
  UNAUTHORIZED(1008, "unauthorized"),
  TOKEN_EXPIRED(1008, "token expired"),
  FORBIDDEN_ORIGIN(1008, "forbidden origin"),
  MESSAGE_TOO_BIG(1009, "message too big"),
  INTERNAL_ERROR(1011, "internal error"),
  TRY_AGAIN_LATER(1013, "try again later"),
  HEARTBEAT_TIMEOUT(4001, "heartbeat timeout"),
  SLOW_CONSUMER(4002, "slow consumer"),
  TOO_MANY_CONNECTIONS(4003, "too many connections"),
  RATE_LIMIT_ABUSE(4008, "rate limit abuse"),
  KICKED(4009, "kicked");

  private final short code;
  private final String reason;

  CloseCode(int code, String reason) {
    this.code = (short) code;
    this.reason = reason;
  }

  public short code() {
    return code;
  }

  public String reason() {
    return reason;
  }
}
