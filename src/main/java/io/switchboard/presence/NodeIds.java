package io.switchboard.presence;

import java.util.UUID;

/** The short public name of a node ({@code n-1c2d3e4f}), derived from its Hazelcast member id. */
public final class NodeIds {

  private NodeIds() {
  }

  public static String of(UUID member) {
    return "n-" + member.toString().replace("-", "").substring(0, 8);
  }
}
