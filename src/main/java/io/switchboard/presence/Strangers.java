package io.switchboard.presence;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The nodes an entry (a user's or a room's) holds connections or stamps of that are not among
 * {@code known}, or null when there are none: what {@link NodeDeaths#sweep} purges. Reads only,
 * on the partition's own thread.
 */
public final class Strangers<V extends HasNode> implements EntryProcessor<String, V, ArrayList<String>>, ReadOnly,
    DataSerializable {

  private Set<String> known;

  public Strangers() {
    // for Hazelcast
  }

  public Strangers(Set<String> known) {
    this.known = known;
  }

  @Override
  public ArrayList<String> process(Map.Entry<String, V> entry) {
    if (entry.getValue() == null) {
      return null;
    }
    Set<String> named = new HashSet<>(2);
    entry.getValue().addNodes(named);
    named.removeAll(known);
    return named.isEmpty() ? null : new ArrayList<>(named);
  }

  /** Every entry's answer together. */
  public static Set<String> union(Map<String, ArrayList<String>> answers) {
    Set<String> all = new HashSet<>();
    answers.values().forEach(nodes -> {
      if (nodes != null) {
        all.addAll(nodes);
      }
    });
    return all;
  }

  @Override
  public EntryProcessor<String, V, ArrayList<String>> getBackupProcessor() {
    return null;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeInt(known.size());
    for (String node : known) {
      out.writeString(node);
    }
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    int n = in.readInt();
    known = new HashSet<>(n * 2);
    for (int i = 0; i < n; i++) {
      known.add(in.readString());
    }
  }
}
