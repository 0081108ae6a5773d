package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build is its classes: the runnable jar and the classes directory of one build are one build, another class another. */
class ClusterBuildDigestTest {

  @Test
  void theJarAndTheClassesDirectoryOfOneBuildAreOneBuildAndAChangedClassIsAnother(@TempDir Path dir) throws IOException {
    Map<String, byte[]> classes = Map.of(
        "io/switchboard/Main.class", new byte[] {1, 2, 3},
        "io/switchboard/room/RoomState.class", new byte[] {4, 5},
        "io/switchboard/webroot-is-not-a-class.txt", new byte[] {6});
    Path root = dir.resolve("classes");
    Path jar = dir.resolve("switchboard.jar");
    write(root, jar, classes, Map.of("org/other/Library.class", new byte[] {7}, "webroot/index.html", new byte[] {8}));

    String fromDirectory = ClusterBuild.Digest.of(ClusterBuild.Digest.fromDirectory(root));
    assertEquals(fromDirectory, ClusterBuild.Digest.of(ClusterBuild.Digest.fromJar(jar)),
        "the same classes, whether in a jar with its libraries or in a directory");
    assertEquals(2, ClusterBuild.Digest.fromJar(jar).size(), "only the node's own classes count");

    Path changedJar = dir.resolve("changed.jar");
    write(dir.resolve("changed"), changedJar, Map.of("io/switchboard/Main.class", new byte[] {1, 2, 3},
        "io/switchboard/room/RoomState.class", new byte[] {4, 9}), Map.of());
    assertNotEquals(fromDirectory, ClusterBuild.Digest.of(ClusterBuild.Digest.fromJar(changedJar)));
  }

  @Test
  void thisBuildHasAnId() {
    assertEquals(16, ClusterBuild.id().length(), ClusterBuild.id());
    assertNotEquals("unknown", ClusterBuild.id());
  }

  private static void write(Path root, Path jar, Map<String, byte[]> own, Map<String, byte[]> others) throws IOException {
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      for (var entry : new java.util.TreeMap<>(merged(own, others)).entrySet()) {
        out.putNextEntry(new JarEntry(entry.getKey()));
        out.write(entry.getValue());
        out.closeEntry();
      }
    }
    for (var entry : own.entrySet()) {
      Path file = root.resolve(entry.getKey());
      Files.createDirectories(file.getParent());
      Files.write(file, entry.getValue());
    }
  }

  private static Map<String, byte[]> merged(Map<String, byte[]> a, Map<String, byte[]> b) {
    java.util.HashMap<String, byte[]> all = new java.util.HashMap<>(a);
    all.putAll(b);
    return all;
  }
}
