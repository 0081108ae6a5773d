package io.switchboard.bench;

/**
 * The server under load: Switchboard (welcome first, JSON protocol, acks) or the raw baseline
 * (a join frame, then every frame relayed as is). Several ports: a cluster, one node per port.
 */
record Target(String kind, int[] ports, int[] pids) {

  boolean switchboard() {
    return "switchboard".equals(kind);
  }

  int port(int i) {
    return ports[i % ports.length];
  }
}
