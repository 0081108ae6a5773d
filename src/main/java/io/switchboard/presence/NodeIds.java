package io.switchboard.presence;

import com.hazelcast.cluster.Member;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A node's public name ({@code n-1c2d3e4f}). It is chosen once at start and carried as a
 * Hazelcast member attribute, so it stays the same even if Hazelcast gives the member a new
 * identity (after a split brain heals), and every member can tell whose connections to remove.
 */
public final class NodeIds {

  public static final String ATTRIBUTE = "switchboard.node";
  private static final SecureRandom RANDOM = new SecureRandom();

  private NodeIds() {
  }

  public static String random() {
    byte[] bytes = new byte[4];
    RANDOM.nextBytes(bytes);
    return "n-" + HexFormat.of().formatHex(bytes);
  }

  /** The node of a member; a member without the attribute (not a Switchboard node) has none. */
  public static String of(Member member) {
    return member.getAttribute(ATTRIBUTE);
  }

  /** A Switchboard node that serves: a data member with a node id (a program, or a refused build, is lite). */
  public static boolean serves(Member member) {
    return !member.isLiteMember() && of(member) != null;
  }

  /** How many Switchboard nodes serve in the cluster now. */
  public static long serving(com.hazelcast.cluster.Cluster cluster) {
    return cluster.getMembers().stream().filter(NodeIds::serves).count();
  }

  /** Whether this member is the cluster's oldest serving node: the one that works for the whole cluster. */
  public static boolean oldestIsLocal(com.hazelcast.cluster.Cluster cluster) {
    for (Member m : cluster.getMembers()) {
      if (serves(m)) {
        return m.localMember();
      }
    }
    return false;
  }

  /** The node ids of the cluster's members now, lite ones included. */
  public static java.util.Set<String> in(com.hazelcast.cluster.Cluster cluster) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    for (Member m : cluster.getMembers()) {
      String id = of(m);
      if (id != null) {
        ids.add(id);
      }
    }
    return ids;
  }
}
