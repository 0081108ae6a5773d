package io.switchboard.protocol;

/** The {@code code} values of PROTOCOL.md section 2's error table. */
public enum ErrorCode {
  BAD_REQUEST("bad_request"),
  UNKNOWN_TYPE("unknown_type"),
  FORBIDDEN("forbidden"),
  NOT_MEMBER("not_member"),
  TOO_LARGE("too_large"),
  LIMIT("limit"),
  RATE_LIMITED("rate_limited"),
  TOKEN_EXPIRED("token_expired"),
  UNAVAILABLE("unavailable"),
  INTERNAL("internal");

  private final String wire;

  ErrorCode(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** Event bus failure codes carry the ordinal; this turns one back into a wire code. */
  public static ErrorCode ofFailureCode(int failureCode) {
    return failureCode >= 0 && failureCode < values().length ? values()[failureCode] : INTERNAL;
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
