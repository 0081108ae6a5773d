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
}
