package io.switchboard.presence;

/**
 * A user's connections after a split brain healed: each side's nodes with their counts. Hazelcast's
 * default keeps one side's entry, and until the other side's nodes ran a reconciliation round
 * their connections went uncounted: the user could open that many more than
 * {@code limits.maxConnectionsPerUser}, and private messages went to none of them (the sender was
 * told the user is online, and the receiver's tabs there saw the message only at the next one).
 */
public final class UsersMerge extends BothSidesMerge<UserConnections> {

  public UsersMerge() {
    // for Hazelcast
  }

  @Override
  protected UserConnections both(UserConnections existing, UserConnections merging) {
    existing.adopt(merging);
    return existing;
  }
}
