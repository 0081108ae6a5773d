package io.switchboard;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleListener;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps nodes of different builds out of one cluster. Rooms, their operations and the frames
 * between nodes are stored and sent in formats with no version, and a build that changed one
 * misreads the other's; a backup of another build may also judge an append differently from its
 * owner. So every node carries its build (a digest of its own classes) as a member attribute, and
 * joins as a lite member, which holds no data: only if every data member has the same build does
 * it promote itself. Otherwise it stays lite, and the node leaves again without starting
 * ({@link #refusal()}), before any partition came to it. A data member of another build that joins later (a
 * build from before this check, or a program that did not join as a lite member) is logged.
 */
public final class ClusterBuild implements LifecycleListener, HazelcastInstanceAware {

  public static final String ATTRIBUTE = "switchboard.build";
  private static final Logger LOG = LoggerFactory.getLogger(ClusterBuild.class);
  /** A promotion refused while the master changes or a member joins is tried again this often. */
  private static final int PROMOTE_TRIES = 20;
  private static final long PROMOTE_PAUSE_MS = 250;

  private HazelcastInstance hazelcast;
  private volatile String refusal;

  /** The build of the classes this JVM runs: the first 16 hex digits of their SHA-256. */
  public static String id() {
    return Digest.ID;
  }

  /** Why this node's member left again at its start; null when it did not. */
  public String refusal() {
    return refusal;
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
  }

  /** Called by Hazelcast on the thread that starts the member, once it has joined its cluster. */
  @Override
  public void stateChanged(LifecycleEvent event) {
    if (event.getState() != LifecycleEvent.LifecycleState.STARTED || hazelcast == null) {
      return;
    }
    // nothing may leave this method: Hazelcast would give up the member without shutting it down
    try {
      Member local = hazelcast.getCluster().getLocalMember();
      // first: a member that joins while this one checks and promotes is told of too
      hazelcast.getCluster().addMembershipListener(new Watch(local));
      refuseIfMixed(local);
      if (refusal == null && local.isLiteMember()) {
        promote();
        // two builds that started together were both lite when each looked: the later one sees
        // the other promoted now (a promotion fires no membership event)
        refuseIfMixed(local);
      }
    } catch (RuntimeException e) {
      refuse("the member could not check the builds of the cluster's members: " + e);
    }
  }

  private void refuseIfMixed(Member local) {
    List<Member> others = otherBuilds(hazelcast.getCluster().getMembers(), local);
    if (!others.isEmpty()) {
      refuse("cluster '" + hazelcast.getConfig().getClusterName() + "' has members of another build (" + describe(others)
          + "; this node: " + local.getAttribute(ATTRIBUTE) + "). Nodes of different builds must not share a cluster:"
          + " start this build as a new cluster (another cluster.name), or stop the others first (README: Upgrades)");
    }
  }

  private void refuse(String why) {
    if (refusal == null) {
      refusal = why;
      LOG.error("the node leaves the cluster again: {}", why);
    }
  }

  /** Logs data members of another build that join after this one: only a build without the check comes in. */
  private final class Watch implements com.hazelcast.cluster.MembershipListener {
    private final Member local;

    Watch(Member local) {
      this.local = local;
    }

    @Override
    public void memberAdded(com.hazelcast.cluster.MembershipEvent added) {
      List<Member> foreign = otherBuilds(List.of(added.getMember()), local);
      if (!foreign.isEmpty()) {
        LOG.error("a member of another build joined cluster '{}' ({}; this node: {}): the two builds misread each"
            + " other's rooms; stop it (README: Upgrades)", hazelcast.getConfig().getClusterName(), describe(foreign),
            local.getAttribute(ATTRIBUTE));
      }
    }

    @Override
    public void memberRemoved(com.hazelcast.cluster.MembershipEvent removed) {
    }
  }

  /** Data members other than {@code local} whose build differs; lite members (programs) hold nothing and may run anything. */
  static List<Member> otherBuilds(Iterable<Member> members, Member local) {
    String build = local.getAttribute(ATTRIBUTE);
    List<Member> others = new ArrayList<>();
    for (Member member : members) {
      if (!member.localMember() && !member.isLiteMember() && !java.util.Objects.equals(build, member.getAttribute(ATTRIBUTE))) {
        others.add(member);
      }
    }
    return others;
  }

  private static String describe(List<Member> members) {
    StringBuilder text = new StringBuilder();
    for (Member member : members) {
      if (text.length() > 0) {
        text.append(", ");
      }
      String build = member.getAttribute(ATTRIBUTE);
      text.append(member.getAddress()).append(" runs ").append(build == null ? "a build without this check" : build);
    }
    return text.toString();
  }

  /** Blocks the starting thread (never an event loop: Vert.x joins on a worker) until promoted. */
  private void promote() {
    for (int attempt = 1; ; attempt++) {
      try {
        hazelcast.getCluster().promoteLocalLiteMember();
        return;
      } catch (IllegalStateException e) { // "not master", "mastership claim in progress": for a moment
        if (!hazelcast.getCluster().getLocalMember().isLiteMember()) {
          return; // promoted after all (the answer was lost)
        }
        if (attempt == PROMOTE_TRIES) {
          refuse("the member could not become a data member: " + e.getMessage());
          return;
        }
        LOG.info("promotion to data member refused ({}); trying again", e.getMessage());
        // a back-off between tries on the member's starting thread, not a wait for an event
        java.util.concurrent.locks.LockSupport.parkNanos(PROMOTE_PAUSE_MS * 1_000_000);
      }
    }
  }

  /**
   * Shuts the member down where Vert.x's join failed after a refusal (the cluster had no data
   * member to take its records): Vert.x then never had it to close.
   */
  void leave() {
    if (hazelcast != null && hazelcast.getLifecycleService().isRunning()) {
      hazelcast.getLifecycleService().terminate(); // a lite member holds nothing to hand over
    }
  }

  /** Computed once: a digest of every class of the node, read from its jar or its classes directory. */
  static final class Digest {
    static final String ID = compute();

    private static String compute() {
      try {
        Path source = Path.of(ClusterBuild.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return of(Files.isDirectory(source) ? fromDirectory(source) : fromJar(source));
      } catch (IOException | URISyntaxException | RuntimeException e) {
        // an unusual class loader (no code source, a jar inside a jar): such nodes match each other only
        LOG.warn("the node's classes could not be read for its build id ({}): it is 'unknown'", e.toString());
        return "unknown";
      }
    }

    /** Class file name → its bytes, in name order. */
    static String of(TreeMap<String, byte[]> classes) {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (var entry : classes.entrySet()) {
          sha.update(entry.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8));
          sha.update(entry.getValue());
        }
        return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e); // every JVM has SHA-256
      }
    }

    static TreeMap<String, byte[]> fromDirectory(Path root) throws IOException {
      TreeMap<String, byte[]> classes = new TreeMap<>();
      Path base = root.resolve("io/switchboard");
      try (Stream<Path> files = Files.walk(base)) {
        for (Path file : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".class"))::iterator) {
          classes.put(root.relativize(file).toString().replace('\\', '/'), Files.readAllBytes(file));
        }
      }
      return classes;
    }

    static TreeMap<String, byte[]> fromJar(Path jar) throws IOException {
      TreeMap<String, byte[]> classes = new TreeMap<>();
      try (JarFile file = new JarFile(jar.toFile())) {
        for (var entry : java.util.Collections.list(file.entries())) {
          if (entry.getName().startsWith("io/switchboard/") && entry.getName().endsWith(".class")) {
            try (InputStream in = file.getInputStream(entry)) {
              classes.put(entry.getName(), in.readAllBytes());
            }
          }
        }
      }
      return classes;
    }
  }
}
