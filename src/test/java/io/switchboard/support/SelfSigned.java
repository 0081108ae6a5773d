package io.switchboard.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.FileInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;

/** A certificate for tests of TLS. */
public final class SelfSigned {

  private SelfSigned() {
  }

  /** A self-signed certificate and its key as PEM files, made with the JDK's keytool. */
  public static Path[] pem(Path dir) throws Exception {
    Path store = dir.resolve("tls.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "node", "-keyalg", "RSA", "-keysize", "2048",
        "-validity", "2", "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1",
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit")
        .redirectErrorStream(true).start();
    assertEquals(0, p.waitFor(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(store.toFile())) {
      ks.load(in, "changeit".toCharArray());
    }
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));
    Path cert = dir.resolve("cert.pem");
    Files.writeString(cert, "-----BEGIN CERTIFICATE-----\n" + b64.encodeToString(ks.getCertificate("node").getEncoded())
        + "\n-----END CERTIFICATE-----\n");
    Path key = dir.resolve("key.pem");
    Files.writeString(key, "-----BEGIN PRIVATE KEY-----\n"
        + b64.encodeToString(ks.getKey("node", "changeit".toCharArray()).getEncoded()) + "\n-----END PRIVATE KEY-----\n");
    return new Path[] {cert, key};
  }
}
