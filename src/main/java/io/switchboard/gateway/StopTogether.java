package io.switchboard.gateway;

import java.util.concurrent.CompletableFuture;

/**
 * The node's gateway instances close their servers together. They share one port, and the
 * shared server routes new connections to every instance still open: one that closed early (it
 * had no sessions to clean up) had connections routed to it while it closed, and they were cut
 * in the middle of their handshake. Until the last instance's clean-up is done, every instance
 * answers a newcomer with 1001, which tells it to go elsewhere.
 */
public final class StopTogether {

  private final int parties;
  private int arrived;
  private final CompletableFuture<Void> all = new CompletableFuture<>();

  public StopTogether(int parties) {
    this.parties = parties;
  }

  /** One instance is done with its clean-up; completes (on any thread) once every one is. */
  synchronized CompletableFuture<Void> arrive() {
    if (++arrived >= parties) {
      all.complete(null);
    }
    return all;
  }
}
