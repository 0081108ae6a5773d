package io.switchboard.presence;

/** A cluster entry that can say whether it holds connections of a node (users, rooms). */
public interface HasNode {

  boolean hasNode(String node);

  /** Adds to {@code out} every node the entry holds connections or stamps of. */
  void addNodes(java.util.Set<String> out);
}
