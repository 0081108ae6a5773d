package io.switchboard.presence;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;

/** Operations on a user's connection entry, run on its partition; deterministic for backups. */
public final class UserOps {

  private UserOps() {
  }

  /**
   * Counts a new connection unless the user is at {@code max}: answers the new total or -1. The
   * node's {@code stamp}, taken when it sent this, stays with the entry: a reconciliation round
   * whose truth was taken before it does not count the connection out.
   */
  public static final class Connect implements EntryProcessor<String, UserConnections, Integer>, DataSerializable {
    String node;
    int max;
    long stamp;

    public Connect() {
    }

    Connect(String node, int max) {
      this(node, max, 0);
    }

    Connect(String node, int max, long stamp) {
      this.node = node;
      this.max = max;
      this.stamp = stamp;
    }

    /**
     * Set by {@link #process} on the owner: a re-run that found itself applied, or a refusal,
     * changed nothing, and has no backup (the backup may be a copy made since, by migration,
     * which keeps each node's latest stamp only: replayed there, an older re-run counted twice).
     */
    private transient boolean unchanged;

    @Override
    public Connect getBackupProcessor() {
      return unchanged ? null : this;
    }

    @Override
    public Integer process(Map.Entry<String, UserConnections> entry) {
      UserConnections c = entry.getValue() != null ? entry.getValue() : new UserConnections();
      unchanged = true;
      if (c.alreadyApplied(node, stamp)) {
        return c.total(); // a re-run (see alreadyApplied): counted already, and answered as then
      }
      if (c.total() >= max) {
        return -1;
      }
      unchanged = false;
      c.add(node, stamp);
      entry.setValue(c);
      return c.total();
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
      out.writeInt(max);
      out.writeLong(stamp);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
      max = in.readInt();
      stamp = in.readLong();
    }
  }

  /**
   * Forgets one connection, closed on its node before {@code stamp} was taken (or every
   * connection of a node, when {@code wholeNode}); answers the total left.
   */
  public static final class Disconnect implements EntryProcessor<String, UserConnections, Integer>, DataSerializable {
    String node;
    boolean wholeNode;
    long stamp;

    public Disconnect() {
    }

    Disconnect(String node, boolean wholeNode, long stamp) {
      this.node = node;
      this.wholeNode = wholeNode;
      this.stamp = stamp;
    }

    /** A re-run that found itself applied: no backup (see {@link Connect#getBackupProcessor}). */
    private transient boolean wasRerun;

    @Override
    public Disconnect getBackupProcessor() {
      return wasRerun ? null : this;
    }

    @Override
    public Integer process(Map.Entry<String, UserConnections> entry) {
      UserConnections c = entry.getValue() != null ? entry.getValue() : wholeNode ? null : new UserConnections();
      wasRerun = false;
      if (c == null) {
        return null;
      }
      if (wholeNode) {
        if (!c.hasNode(node)) {
          return null;
        }
        c.removeNode(node);
      } else if (c.alreadyApplied(node, stamp)) {
        wasRerun = true;
        return c.total(); // a re-run: run again, it would uncount another connection of the node
      } else {
        c.remove(node, stamp); // even with no count left: the stamp is what the next round needs
      }
      entry.setValue(c.isEmpty() ? null : c);
      return c.total();
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
      out.writeBoolean(wholeNode);
      out.writeLong(stamp);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
      wholeNode = in.readBoolean();
      stamp = in.readLong();
    }
  }

  /**
   * Sets one node's connection count of every user to what that node knows (reconciliation),
   * except where the node sent a connect or a disconnect after {@code since}, when its truth was
   * taken: the truth may lack that connection, or still hold it. The node's older stamps have
   * served and are dropped.
   * Answers the new total where a count changed, else null.
   */
  public static final class Reconcile implements EntryProcessor<String, UserConnections, Integer>, DataSerializable {
    String node;
    Map<String, Integer> truth;
    java.util.Set<String> skip;
    long since;

    public Reconcile() {
    }

    Reconcile(String node, Map<String, Integer> truth, java.util.Set<String> skip, long since) {
      this.node = node;
      this.truth = truth;
      this.skip = skip;
      this.since = since;
    }

    @Override
    public Integer process(Map.Entry<String, UserConnections> entry) {
      UserConnections c = entry.getValue();
      if (skip.contains(entry.getKey()) || c != null && c.changedSince(node, since)) {
        return null;
      }
      int count = truth.getOrDefault(entry.getKey(), 0);
      if (c == null) {
        if (count == 0) {
          return null;
        }
        c = new UserConnections();
      }
      boolean changed = c.set(node, count);
      boolean forgot = c.forgetStamp(node);
      if (changed || forgot) {
        entry.setValue(c.isEmpty() ? null : c);
      }
      return changed ? c.total() : null;
    }

    @Override
    public void writeData(ObjectDataOutput out) throws IOException {
      out.writeString(node);
      out.writeInt(truth.size());
      for (Map.Entry<String, Integer> e : truth.entrySet()) {
        out.writeString(e.getKey());
        out.writeInt(e.getValue());
      }
      io.switchboard.room.DataIo.writeStrings(out, skip);
      out.writeLong(since);
    }

    @Override
    public void readData(ObjectDataInput in) throws IOException {
      node = in.readString();
      int n = in.readInt();
      truth = new java.util.HashMap<>();
      for (int i = 0; i < n; i++) {
        truth.put(in.readString(), in.readInt());
      }
      skip = new java.util.HashSet<>(io.switchboard.room.DataIo.readStrings(in));
      since = in.readLong();
    }
  }

  /** The user's connections per node. */
  public static final class PerNode implements EntryProcessor<String, UserConnections, HashMap<String, Integer>>, ReadOnly,
      DataSerializable {

    public PerNode() {
    }

    @Override
    public HashMap<String, Integer> process(Map.Entry<String, UserConnections> entry) {
      return entry.getValue() == null ? new HashMap<>() : entry.getValue().perNode();
    }

    @Override
    public EntryProcessor<String, UserConnections, HashMap<String, Integer>> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }

  /** The nodes that hold a connection of the user (empty: offline). */
  public static final class Locate implements EntryProcessor<String, UserConnections, ArrayList<String>>, ReadOnly,
      DataSerializable {

    public Locate() {
    }

    @Override
    public ArrayList<String> process(Map.Entry<String, UserConnections> entry) {
      return entry.getValue() == null ? new ArrayList<>() : entry.getValue().nodes();
    }

    @Override
    public EntryProcessor<String, UserConnections, ArrayList<String>> getBackupProcessor() {
      return null;
    }

    @Override
    public void writeData(ObjectDataOutput out) {
    }

    @Override
    public void readData(ObjectDataInput in) {
    }
  }
}
