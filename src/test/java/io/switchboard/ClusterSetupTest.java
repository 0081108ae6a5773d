package io.switchboard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.config.ConfigLoader;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The member's leave gets what the shutdown leaves of its 9 s after the drain and the sockets'
 * clean-up (3 s): past Hazelcast's own default (600 s) the process was gone mid-leave.
 */
class ClusterSetupTest {

  @Test
  void theLeaveFitsInWhatTheShutdownLeaves() {
    assertEquals("5", ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of())).getProperty(ClusterSetup.GRACEFUL_WAIT));
    assertEquals("3", ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of("http.drainDelay", 1_500)))
        .getProperty(ClusterSetup.GRACEFUL_WAIT));
    assertEquals("1", ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of("http.drainDelay", 5_000)))
        .getProperty(ClusterSetup.GRACEFUL_WAIT), "at least a second, even after the longest drain");
  }

  /**
   * Two sides of a split (a member frozen past the failure timeout, then back) look for each
   * other every 20 s, not 300 s after the start and every 120 s: a black-box run saw both sides
   * serve apart, each ready, for 322 s. A cluster file's own values are kept.
   */
  @Test
  void theSidesOfASplitLookForEachOtherSoon(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    var hz = ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of()));
    assertEquals("20", hz.getProperty(ClusterSetup.MERGE_FIRST_RUN));
    assertEquals("20", hz.getProperty(ClusterSetup.MERGE_NEXT_RUN));
    java.nio.file.Path file = dir.resolve("cluster.xml");
    java.nio.file.Files.writeString(file, """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <properties>
            <property name="hazelcast.merge.next.run.delay.seconds">60</property>
          </properties>
        </hazelcast>
        """);
    var given = ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of("cluster.config", file.toString())));
    assertEquals("60", given.getProperty(ClusterSetup.MERGE_NEXT_RUN), "the file's own");
    assertEquals("20", given.getProperty(ClusterSetup.MERGE_FIRST_RUN));
  }

  /** An append stored just before its deadline must be answered before the node says "not stored". */
  @Test
  void aBackupAcknowledgesWithinASecond() {
    assertEquals("1000", ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of())).getProperty(ClusterSetup.BACKUP_TIMEOUT));
  }

  /** A cluster file with Hazelcast's own settings for both (its examples have them) does not undo the node's. */
  @Test
  void aClusterFileDoesNotSetTheLeaveOrTheBackupsWait(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    java.nio.file.Path file = dir.resolve("cluster.xml");
    java.nio.file.Files.writeString(file, """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <properties>
            <property name="hazelcast.graceful.shutdown.max.wait">600</property>
            <property name="hazelcast.operation.backup.timeout.millis">5000</property>
          </properties>
        </hazelcast>
        """);
    var hz = ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of("cluster.config", file.toString())));
    assertEquals("5", hz.getProperty(ClusterSetup.GRACEFUL_WAIT));
    assertEquals("1000", hz.getProperty(ClusterSetup.BACKUP_TIMEOUT));
    assertEquals("5", hz.getProperty(ClusterSetup.BACKUP_SYNC_INTERVAL), "a backup that missed an append is levelled soon");
  }

  /** Hazelcast's default would keep the larger side's room alone after a split brain. */
  @Test
  void roomsMergeWithTheirOwnPolicy() {
    var hz = ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of()));
    assertEquals(io.switchboard.room.RoomMerge.class.getName(),
        hz.getMapConfig(io.switchboard.room.RoomStore.MAP_NAME).getMergePolicyConfig().getPolicy());
    assertEquals(io.switchboard.room.PeersMerge.class.getName(),
        hz.getMapConfig(io.switchboard.room.ConversationIndex.MAP_NAME).getMergePolicyConfig().getPolicy());
    assertEquals(io.switchboard.presence.UsersMerge.class.getName(),
        hz.getMapConfig(io.switchboard.presence.UserDirectory.MAP_NAME).getMergePolicyConfig().getPolicy());
    assertEquals(1, hz.getMapConfig(io.switchboard.room.ConversationIndex.MAP_NAME).getBackupCount());
    assertEquals(ConfigLoader.fromMap(Map.of()).history().retention() / 1000,
        hz.getMapConfig(io.switchboard.room.ConversationIndex.MAP_NAME).getMaxIdleSeconds(),
        "a user's conversations go when their histories would");
    assertEquals(0, ClusterSetup.hazelcast(ConfigLoader.fromMap(Map.of("history.retention", 0)))
        .getMapConfig(io.switchboard.room.ConversationIndex.MAP_NAME).getMaxIdleSeconds(), "kept for good, as they are");
  }
}
