package io.switchboard;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.InMemoryFormat;
import com.hazelcast.config.MapConfig;
import io.switchboard.config.Config;
import io.switchboard.config.ConfigException;
import io.switchboard.presence.UserDirectory;
import io.switchboard.room.RoomStore;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds the Hazelcast configuration of a node from {@code cluster.xml} and the node's configuration. */
public final class ClusterSetup {

  private ClusterSetup() {
  }

  public static com.hazelcast.config.Config hazelcast(Config config) {
    com.hazelcast.config.Config hz = load(config.cluster().config());
    hz.setClusterName(config.cluster().name());
    long seconds = Math.max(1, (config.cluster().failureTimeout() + 999) / 1000);
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", Long.toString(seconds));
    hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    // the node shuts Hazelcast down itself, after its sockets and presence are gone
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    // an append stored just before its deadline answers once its backup has acknowledged it, or
    // after this: at Hazelcast's 5 s default, that answer could come after the node had already
    // said "unavailable, not stored" (see RoomStore.STORE_WINDOW_MS). A backup that does not
    // acknowledge in time still applies the operation when it can; an append is not answered
    // without it (RoomStore.withBackup). Set whatever the cluster file says, as the leave's wait
    // below: a file taken from Hazelcast's examples must not undo either
    hz.setProperty(BACKUP_TIMEOUT, "1000");
    hz.setProperty(GRACEFUL_WAIT, Long.toString(leaveSeconds(config.http().drainDelay())));
    // a backup that missed an append refuses the room's next ones (RoomAppend#replayed), so
    // their senders get no ack until Hazelcast copies the owner's entry to it. A backup operation
    // that succeeds in the same partition starts that copy at once; in a partition where nothing
    // else is written only this check does, at Hazelcast's default every 30 s
    hz.setProperty(BACKUP_SYNC_INTERVAL, "5");
    // a member taken for dead that comes back (a process frozen past cluster.failureTimeout, a
    // network cut) is a cluster of its own until the two merge, both ready and each giving its
    // own seqs: Hazelcast looks for the other side 300 s after the start and every 120 s, so they
    // served apart for up to five minutes. A cluster file's own values are kept.
    for (String merge : new String[] {MERGE_FIRST_RUN, MERGE_NEXT_RUN}) {
      if (hz.getProperty(merge) == null) {
        hz.setProperty(merge, MERGE_EVERY_SECONDS);
      }
    }
    int backups = config.history().backups();
    // OBJECT format: entry processors change the room in place, no serialization per message
    for (String name : new String[] {RoomStore.MAP_NAME, UserDirectory.MAP_NAME,
        io.switchboard.room.ConversationIndex.MAP_NAME}) {
      hz.addMapConfig(new MapConfig(name).setBackupCount(backups).setInMemoryFormat(InMemoryFormat.OBJECT));
    }
    // after a split brain, a room keeps the messages both sides stored (see RoomMerge)
    hz.getMapConfig(RoomStore.MAP_NAME).getMergePolicyConfig().setPolicy(io.switchboard.room.RoomMerge.class.getName());
    // a user who has written nothing privately and asked for nothing for as long as a quiet
    // conversation's history is kept has no conversation left to list: the entry goes too, or
    // every id ever written to (real or not) would hold one for good
    long retention = config.history().retention();
    if (retention > 0) {
      hz.getMapConfig(io.switchboard.room.ConversationIndex.MAP_NAME).setMaxIdleSeconds((int) Math.min(Integer.MAX_VALUE,
          Math.max(retention, 2 * io.switchboard.room.ConversationIndex.NOTE_EVERY_MS) / 1000));
    }
    // a user's connections are counted on both sides (see UsersMerge)
    hz.getMapConfig(UserDirectory.MAP_NAME).getMergePolicyConfig().setPolicy(io.switchboard.presence.UsersMerge.class.getName());
    // and a user's conversations are those of both sides (see PeersMerge)
    hz.getMapConfig(io.switchboard.room.ConversationIndex.MAP_NAME).getMergePolicyConfig()
        .setPolicy(io.switchboard.room.PeersMerge.class.getName());
    return hz;
  }

  static final String GRACEFUL_WAIT = "hazelcast.graceful.shutdown.max.wait";
  static final String BACKUP_TIMEOUT = "hazelcast.operation.backup.timeout.millis";
  static final String BACKUP_SYNC_INTERVAL = "hazelcast.partition.backup.sync.interval";
  static final String MERGE_FIRST_RUN = "hazelcast.merge.first.run.delay.seconds";
  static final String MERGE_NEXT_RUN = "hazelcast.merge.next.run.delay.seconds";
  static final String MERGE_EVERY_SECONDS = "20";

  /**
   * What the shutdown leaves to the member's leave (Hazelcast waits 600 s for its migrations by
   * default): the process exits within {@link Main#SHUTDOWN_SECONDS} of SIGTERM, and the drain and
   * the sockets' clean-up come first. Past its wait, the member leaves anyway, before the process
   * is gone mid-leave; the backups hold what it owned.
   */
  static long leaveSeconds(long drainDelayMs) {
    long before = (drainDelayMs + 999) / 1000 + (io.switchboard.gateway.GatewayVerticle.STOP_CLEANUP_MS + 999) / 1000;
    return Math.max(1, Main.SHUTDOWN_SECONDS - before - 1);
  }

  private static com.hazelcast.config.Config load(String path) {
    try {
      if (!path.isEmpty()) {
        if (!Files.isRegularFile(Path.of(path))) {
          throw new ConfigException("cluster.config: no file at " + path);
        }
        return new FileSystemXmlConfig(path);
      }
      if (Files.isRegularFile(Path.of("cluster.xml"))) {
        return new FileSystemXmlConfig("cluster.xml");
      }
      return new ClasspathXmlConfig("cluster.xml");
    } catch (FileNotFoundException e) {
      throw new ConfigException("cluster.config: " + e.getMessage());
    } catch (RuntimeException e) {
      if (e instanceof ConfigException) {
        throw e;
      }
      throw new ConfigException("cluster.config: the Hazelcast configuration is not valid: " + e.getMessage());
    }
  }
}
