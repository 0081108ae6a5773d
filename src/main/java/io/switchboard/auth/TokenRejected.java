package io.switchboard.auth;

/** A token that cannot be used; {@code expired} picks the close reason "token expired". */
public class TokenRejected extends RuntimeException {

  private final boolean expired;

  public TokenRejected(String message, boolean expired) {
    super(message, null, false, false);
    this.expired = expired;
  }

  public boolean expired() {
    return expired;
  }
}
