package io.switchboard.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a configuration names outside itself, checked before the node joins a cluster: a key
 * file that is not a key, or a host this machine cannot listen on, is a configuration error
 * (exit 2, naming the key). Found when the server first listened, it stopped a node that had
 * already joined the cluster and taken partitions, with exit 1 and a parser's message.
 */
public final class StartChecks {

  private StartChecks() {
  }

  public static void check(Config config) {
    try {
      io.switchboard.auth.TokenVerifier.checkPublicKey(config.auth().publicKey());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    tls(config.http());
    local("http.host", config.http().host());
    local("cluster.host", config.cluster().host());
    free("http.port", config.http().host(), config.http().port());
  }

  /**
   * The HTTP port is not taken. Found by the server's listen, it stopped a node that had joined
   * the cluster, been promoted and taken its partitions: a crash-looping pod moved data in and
   * out of the cluster at every restart. (Taken between this and the listen, it still is.)
   */
  static void free(String key, String host, int port) {
    if (port == 0) {
      return; // any free port, chosen by the listen
    }
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true); // as the server's listen: a port left in TIME_WAIT is free to it
      probe.bind(new java.net.InetSocketAddress(host, port));
    } catch (IOException e) {
      throw new ConfigException(key + ": " + port + " on " + host + " cannot be listened on: " + e.getMessage()
          + (e instanceof java.net.BindException ? " (another process, or another node on this host, may have it)" : ""));
    }
  }

  /** The certificate and key read as the server will read them (Vert.x's PEM reader). */
  static void tls(Config.Http http) {
    if (!http.tls()) {
      return;
    }
    io.vertx.core.net.PemKeyCertOptions pem = new io.vertx.core.net.PemKeyCertOptions()
        .setCertValue(read("http.tls.certPath", http.tlsCertPath()))
        .setKeyValue(read("http.tls.keyPath", http.tlsKeyPath()));
    try {
      pem.getKeyManagerFactory(null); // values, not paths: no Vert.x needed to read them
    } catch (Exception e) {
      throw new ConfigException("http.tls.certPath " + http.tlsCertPath() + " and http.tls.keyPath " + http.tlsKeyPath()
          + " are not a PEM certificate and its unencrypted PEM key (PKCS#8 or PKCS#1): " + e.getMessage());
    }
  }

  private static io.vertx.core.buffer.Buffer read(String key, String path) {
    try {
      return io.vertx.core.buffer.Buffer.buffer(Files.readAllBytes(Path.of(path)));
    } catch (IOException e) {
      throw new ConfigException(key + ": cannot read " + path + ": " + e.getMessage());
    }
  }

  /** A host this machine has an address of, or the wildcard: nothing else can be listened on. */
  static void local(String key, String host) {
    InetAddress[] addresses;
    try {
      addresses = InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      throw new ConfigException(key + ": '" + host + "' does not resolve to an address");
    }
    for (InetAddress a : addresses) {
      try {
        if (a.isAnyLocalAddress() || a.isLoopbackAddress() || NetworkInterface.getByInetAddress(a) != null) {
          return;
        }
      } catch (SocketException e) {
        // this machine's interfaces cannot be listed: let the listen itself say
        return;
      }
    }
    throw new ConfigException(key + ": '" + host + "' is not an address of this machine ("
        + java.util.Arrays.toString(addresses) + "): set one of its own, or 0.0.0.0 for all");
  }
}
