package io.switchboard.room;

/**
 * A user's conversations after a split brain healed: both sides' peers. Hazelcast's default keeps
 * one side's entry, and the conversations begun only on the other side would no longer be listed.
 */
public final class PeersMerge extends io.switchboard.presence.BothSidesMerge<Peers> {

  public PeersMerge() {
    // for Hazelcast
  }

  @Override
  protected Peers both(Peers existing, Peers merging) {
    return Peers.union(existing, merging);
  }
}
