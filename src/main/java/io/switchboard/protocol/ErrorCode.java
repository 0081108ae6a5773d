package io.switchboard.protocol;

/** The {@code code} values of PROTOCOL.md section 2's error table. */
public enum ErrorCode {
  BAD_REQUEST("bad_request", 0),
  UNKNOWN_TYPE("unknown_type", 1),
  FORBIDDEN("forbidden", 2),
  NOT_MEMBER("not_member", 3),
  TOO_LARGE("too_large", 4),
  LIMIT("limit", 5),
  RATE_LIMITED("rate_limited", 6),
  TOKEN_EXPIRED("token_expired", 7),
  UNAVAILABLE("unavailable", 8),
  INTERNAL("internal", 9);

  private final String wire;
  private final int failureCode;

  /**
   * {@code failureCode}: the number an event-bus failure carries (README, "Event bus"). Written
   * out, not the ordinal: programs outside this code base match on it, and reordering or adding
   * a code must not change them.
   */
  ErrorCode(String wire, int failureCode) {
    this.wire = wire;
    this.failureCode = failureCode;
  }

  public String wire() {
    return wire;
  }

  public int failureCode() {
    return failureCode;
  }

  /** An event-bus failure's code as a wire code; anything unknown is {@code internal}. */
  public static ErrorCode ofFailureCode(int failureCode) {
    for (ErrorCode code : values()) {
      if (code.failureCode == failureCode) {
        return code;
      }
    }
    return INTERNAL;
  }

  public static ErrorCode ofWire(String wire) {
    for (ErrorCode c : values()) {
      if (c.wire.equals(wire)) {
        return c;
      }
    }
    return INTERNAL;
  }
}
