package io.switchboard.config;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.support.SelfSigned;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files and hosts the configuration names are checked before the cluster is joined: before, a
 * key file that was not a key stopped the node only once it listened, after it had joined the
 * cluster and taken partitions, with exit 1 and a message that named no key.
 */
class StartChecksTest {

  @Test
  void aCertificateAndItsKeyPass(@TempDir Path dir) throws Exception {
    Path[] pem = SelfSigned.pem(dir);
    assertDoesNotThrow(() -> StartChecks.check(tls(pem[0], pem[1])));
  }

  @Test
  void filesThatAreNotACertificateAndAKeyStopTheNodeNamingThem(@TempDir Path dir) throws Exception {
    Path[] pem = SelfSigned.pem(dir);
    Path junk = Files.writeString(dir.resolve("junk.pem"), "not a key\n");
    for (Path[] pair : new Path[][] {{pem[0], pem[0]}, {pem[1], pem[1]}, {pem[0], junk}, {junk, pem[1]}}) {
      ConfigException e = assertThrows(ConfigException.class, () -> StartChecks.check(tls(pair[0], pair[1])),
          pair[0] + " " + pair[1]);
      assertTrue(e.getMessage().contains("http.tls.keyPath") && e.getMessage().contains("http.tls.certPath"), e.getMessage());
    }
  }

  @Test
  void hostsMustBeThisMachines() {
    for (String host : new String[] {"127.0.0.1", "0.0.0.0", "localhost"}) {
      assertDoesNotThrow(() -> StartChecks.check(ConfigLoader.fromMap(Map.of("http.host", host, "cluster.host", host,
          "http.port", 0))));
    }
    // TEST-NET-1 (RFC 5737): never an address of this machine; .invalid (RFC 2606) never resolves
    for (String key : new String[] {"http.host", "cluster.host"}) {
      for (String host : new String[] {"192.0.2.1", "nowhere.invalid"}) {
        ConfigException e = assertThrows(ConfigException.class,
            () -> StartChecks.check(ConfigLoader.fromMap(Map.of(key, host))), key + " " + host);
        assertTrue(e.getMessage().startsWith(key + ": '" + host + "'"), e.getMessage());
      }
    }
  }

  @Test
  void aPortInUseStopsTheNodeBeforeItJoins() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      ConfigException e = assertThrows(ConfigException.class, () -> StartChecks.check(ConfigLoader.fromMap(Map.of(
          "http.host", "127.0.0.1", "http.port", taken.getLocalPort()))));
      assertTrue(e.getMessage().startsWith("http.port: " + taken.getLocalPort() + " on 127.0.0.1 cannot be listened on"),
          e.getMessage());
    }
  }

  private static Config tls(Path cert, Path key) {
    return ConfigLoader.fromMap(Map.of("http.tls.certPath", cert.toString(), "http.tls.keyPath", key.toString(),
        "http.port", 0));
  }
}
