package io.switchboard.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free ports on loopback, so that tests never depend on a fixed port being free. */
public final class Ports {

  private Ports() {
  }

  public static int free() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A base port with {@code count} free ports above it (for Hazelcast members of one test cluster). */
  public static int freeRange(int count) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
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
