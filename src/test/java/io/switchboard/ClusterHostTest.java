package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * A node gives other nodes {@code cluster.host} as its event bus address: loopback or the
 * wildcard there, with a Hazelcast member other hosts reach, and the cluster forms while nothing
 * reaches this node live. The node says so at its start.
 */
class ClusterHostTest {

  @Test
  void aLoopbackOrWildcardBusBesideAReachableMemberIsNamed() throws Exception {
    InetAddress member = InetAddress.getByName("10.1.2.3");
    for (String bus : new String[] {"127.0.0.1", "0.0.0.0", "::1"}) {
      String said = SwitchboardNode.unreachableBus(bus, member);
      assertTrue(said != null && said.contains("SWITCHBOARD_CLUSTER_HOST to 10.1.2.3"), bus + ": " + said);
    }
  }

  @Test
  void oneHostOrAReachableBusIsFine() throws Exception {
    assertNull(SwitchboardNode.unreachableBus("127.0.0.1", InetAddress.getByName("127.0.0.1")), "all on one host");
    assertNull(SwitchboardNode.unreachableBus("10.1.2.3", InetAddress.getByName("10.1.2.3")));
    assertNull(SwitchboardNode.unreachableBus("10.9.9.9", InetAddress.getByName("10.1.2.3")), "another of its addresses");
    assertEquals(null, SwitchboardNode.unreachableBus("127.0.0.1", null));
  }
}
