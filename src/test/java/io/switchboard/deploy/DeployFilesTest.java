package io.switchboard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.XmlConfigBuilder;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The deployment files that cannot be run on the build machines are checked with the tools that
 * will read them: Hazelcast's own XML parser, a YAML parser, and haproxy itself.
 */
class DeployFilesTest {

  @Test
  void theKubernetesClusterXmlParsesWithKubernetesDiscovery() throws Exception {
    Config config;
    try (InputStream in = Files.newInputStream(Path.of("deploy/kubernetes/cluster-kubernetes.xml"))) {
      config = new XmlConfigBuilder(in).build();
    }
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertTrue(join.getKubernetesConfig().isEnabled());
    assertEquals("switchboard-hz.switchboard.svc.cluster.local", join.getKubernetesConfig().getProperty("service-dns"));
    assertFalse(join.getTcpIpConfig().isEnabled());
    assertFalse(join.getMulticastConfig().isEnabled());
    assertEquals(1, config.getMultiMapConfig("__vertx.subs").getBackupCount());
    assertFalse(config.getMetricsConfig().isEnabled(), "no metrics collection for a Management Center nobody runs");
  }

  @Test
  void theRepositoryClusterXmlParsesForOneHost() throws Exception {
    Config config;
    try (InputStream in = Files.newInputStream(Path.of("cluster.xml"))) {
      config = new XmlConfigBuilder(in).build();
    }
    assertTrue(config.getNetworkConfig().getJoin().getTcpIpConfig().isEnabled());
    assertEquals(List.of("127.0.0.1"), config.getNetworkConfig().getJoin().getTcpIpConfig().getMembers());
    assertEquals("false", config.getProperty("hazelcast.phone.home.enabled"));
    assertFalse(config.getMetricsConfig().isEnabled(), "no metrics collection for a Management Center nobody runs");
  }

  @Test
  @SuppressWarnings("unchecked")
  void theKubernetesManifestsParseAndHoldWhatTheDesignAsks() throws Exception {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(Files.readString(Path.of("deploy/kubernetes/switchboard.yaml")))) {
      docs.add((Map<String, Object>) doc);
    }
    assertEquals(List.of("Deployment", "Service", "Service", "PodDisruptionBudget"),
        docs.stream().map(d -> d.get("kind")).toList());
    Map<String, Object> spec = (Map<String, Object>) docs.get(0).get("spec");
    assertEquals(3, spec.get("replicas"));
    // one member leaves at a time: two leaving together could take a partition and its backup
    Map<String, Object> rolling = (Map<String, Object>) ((Map<String, Object>) spec.get("strategy")).get("rollingUpdate");
    assertEquals(0, rolling.get("maxUnavailable"));
    assertTrue((Integer) spec.get("minReadySeconds") > 10, "the last old pod's 10 s shutdown is over before the next");
    Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
    assertTrue((Integer) pod.get("terminationGracePeriodSeconds") > 10, "above the node's 10 s shutdown");
    assertEquals(false, pod.get("enableServiceLinks"), "no SWITCHBOARD_SERVICE_HOST from the Service of that name");
    Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
    assertEquals("/ready", ((Map<String, Object>) ((Map<String, Object>) container.get("readinessProbe")).get("httpGet")).get("path"));
    assertEquals("/health", ((Map<String, Object>) ((Map<String, Object>) container.get("livenessProbe")).get("httpGet")).get("path"));
    List<Map<String, Object>> env = (List<Map<String, Object>>) container.get("env");
    Map<String, Object> secret = env.stream().filter(e -> "SWITCHBOARD_AUTH_JWT_SECRET".equals(e.get("name"))).findFirst().orElseThrow();
    assertTrue(((Map<String, Object>) secret.get("valueFrom")).containsKey("secretKeyRef"), "the JWT secret comes from a Secret");
    String clusterConfig = (String) env.stream().filter(e -> "SWITCHBOARD_CLUSTER_CONFIG".equals(e.get("name")))
        .findFirst().orElseThrow().get("value");
    assertEquals("/config/cluster-kubernetes.xml", clusterConfig);
    Map<String, Object> headless = (Map<String, Object>) docs.get(1).get("spec");
    assertEquals("None", headless.get("clusterIP"));
    assertEquals(true, headless.get("publishNotReadyAddresses"));
    assertEquals(2, ((Map<String, Object>) docs.get(3).get("spec")).get("minAvailable"));
  }

  @Test
  void theHaproxyConfigIsValidForHaproxyAndChecksReadiness() throws Exception {
    Path cfg = Path.of("deploy/haproxy/haproxy.cfg");
    String text = Files.readString(cfg);
    assertTrue(text.contains("option httpchk GET /ready"));
    assertTrue(text.contains("timeout tunnel"));
    Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/sbin/haproxy")), "haproxy is installed by .ci/run");
    Process p = new ProcessBuilder("/usr/sbin/haproxy", "-c", "-f", cfg.toString()).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.exitValue(), out);
  }

  @Test
  void theImageRunsAsANonRootUserAndReportsReadiness() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    assertTrue(dockerfile.contains("AS build"), "multi-stage");
    assertTrue(dockerfile.contains("USER 10001"));
    assertTrue(dockerfile.contains("HEALTHCHECK") && dockerfile.contains("/ready"));
  }

  /** The image's health check, run as Docker runs it, against a node on the port it was given. */
  @Test
  void theImagesHealthCheckAsksTheNodesOwnPort() throws Exception {
    String dockerfile = Files.readString(Path.of("Dockerfile"));
    String check = dockerfile.substring(dockerfile.indexOf("CMD bash -c '") + "CMD bash -c '".length());
    check = check.substring(0, check.indexOf("'\n"));
    try (io.switchboard.support.TestCluster cluster = io.switchboard.support.TestCluster.start(1, Map.of())) {
      assertEquals(0, run(check, cluster.port(0)), "ready on its port");
      assertFalse(run(check, io.switchboard.support.Ports.free()) == 0, "nothing there: unhealthy");
    }
  }

  private static int run(String script, int port) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", script).redirectErrorStream(true);
    pb.environment().put("SWITCHBOARD_HTTP_PORT", Integer.toString(port));
    Process p = pb.start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return p.exitValue();
  }
}
