package io.switchboard.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free ports on loopback, so that tests never depend on a fixed port being free. */
public final class Ports {

  private Ports() {
  }

  /**
   * A port below Linux's ephemeral range (32768 and up), checked free. A port the kernel hands
   * out for {@code bind(0)} comes from that range, which every outgoing connection draws its
   * local port from too: between the check and the node's bind, one of the test's own client
   * sockets could take it (CI saw "Address already in use" once that way).
   */
  public static int free() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(BELOW_EPHEMERAL_FROM, BELOW_EPHEMERAL_TO);
      if (allFree(port, 1)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port below the ephemeral range");
  }

  private static final int BELOW_EPHEMERAL_FROM = 10_000;
  private static final int BELOW_EPHEMERAL_TO = 32_000;

  /** A base port with {@code count} free ports above it (for Hazelcast members of one test cluster). */
  public static int freeRange(int count) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(BELOW_EPHEMERAL_FROM, BELOW_EPHEMERAL_TO - count);
      if (allFree(base, count)) {
        return base;
      }
    }
    throw new IllegalStateException("no free port range of " + count);
  }

  public static boolean isFree(int port) {
    return allFree(port, 1);
  }

  private static boolean allFree(int base, int count) {
    for (int p = base; p < base + count; p++) {
      try (ServerSocket s = new ServerSocket()) {
        // set before bind, as Vert.x and Hazelcast bind: a closed connection's TIME_WAIT does not hold the port
        s.setReuseAddress(true);
        s.bind(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), p), 1);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
