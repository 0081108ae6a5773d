package io.switchboard.presence;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Keys grouped by Hazelcast partition. A multi-key entry processor call sends every key (and the
 * processor with all it carries) to every partition involved, which then picks its own keys: with
 * one node's ten thousand users that is quadratic. One call per partition, carrying only that
 * partition's share, keeps reconciliation linear in the node's connections.
 */
public final class Partitions {

  private Partitions() {
  }

  /**
   * Runs a processor over {@code keys} of {@code map}, one call per partition, each processor
   * built by {@code op} for that partition's keys; the non-null answers of all of them.
   */
  public static <V, R> CompletableFuture<Map<String, R>> submit(HazelcastInstance hazelcast, IMap<String, V> map,
      Set<String> keys, Function<Set<String>, EntryProcessor<String, V, R>> op) {
    return gather(hazelcast, map, keys, op, call -> call);
  }

  /**
   * As {@link #submit}, but what the partitions that answered say, whatever the others did: a
   * processor that changes entries has changed them in every partition that answered, and its
   * answers there are the only word of it. {@code onFailure} hears each partition that failed.
   */
  public static <V, R> CompletableFuture<Map<String, R>> submitEach(HazelcastInstance hazelcast, IMap<String, V> map,
      Set<String> keys, Function<Set<String>, EntryProcessor<String, V, R>> op, java.util.function.Consumer<Throwable> onFailure) {
    return gather(hazelcast, map, keys, op, call -> call.exceptionally(e -> {
      onFailure.accept(e);
      return Map.of();
    }));
  }

  /** One call per partition, each passed through {@code each}; their non-null answers together once all are done. */
  private static <V, R> CompletableFuture<Map<String, R>> gather(HazelcastInstance hazelcast, IMap<String, V> map,
      Set<String> keys, Function<Set<String>, EntryProcessor<String, V, R>> op,
      java.util.function.UnaryOperator<CompletableFuture<Map<String, R>>> each) {
    List<CompletableFuture<Map<String, R>>> calls = new ArrayList<>();
    for (Set<String> part : group(hazelcast, keys)) {
      calls.add(each.apply(map.submitToKeys(part, op.apply(part)).toCompletableFuture()
          .<Map<String, R>>thenApply(Partitions::answered)));
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<String, R> answers = new HashMap<>();
      calls.forEach(call -> answers.putAll(call.join()));
      return answers;
    });
  }

  /**
   * A key of each partition of the cluster, by partition id: what a {@code PartitionPredicate}
   * needs to run a processor over one partition's entries. Found by trying names: about seven
   * per partition.
   */
  public static List<String> keyPerPartition(HazelcastInstance hazelcast) {
    var service = hazelcast.getPartitionService();
    String[] keys = new String[service.getPartitions().size()];
    int found = 0;
    for (int i = 0; found < keys.length; i++) {
      String key = "p" + i;
      int partition = service.getPartition(key).getPartitionId();
      if (keys[partition] == null) {
        keys[partition] = key;
        found++;
      }
    }
    return List.of(keys);
  }

  /** A processor's answers without the keys it answered null for (nothing to report there). */
  public static <R> Map<String, R> answered(Map<String, ? extends R> answers) {
    Map<String, R> out = new HashMap<>();
    answers.forEach((key, answer) -> {
      if (answer != null) {
        out.put(key, answer);
      }
    });
    return out;
  }

  /** {@code keys} grouped by their partition. */
  public static Collection<Set<String>> byPartition(HazelcastInstance hazelcast, Set<String> keys) {
    return group(hazelcast, keys);
  }

  private static Collection<Set<String>> group(HazelcastInstance hazelcast, Set<String> keys) {
    Map<Integer, Set<String>> parts = new HashMap<>();
    var service = hazelcast.getPartitionService();
    for (String key : keys) {
      parts.computeIfAbsent(service.getPartition(key).getPartitionId(), p -> new HashSet<>()).add(key);
    }
    return parts.values();
  }

  /** The entries of {@code map} whose key is in {@code keys}. */
  public static <V> Map<String, V> slice(Map<String, V> map, Set<String> keys) {
    Map<String, V> out = new HashMap<>();
    for (String key : keys) {
      V value = map.get(key);
      if (value != null) {
        out.put(key, value);
      }
    }
    return out;
  }

  public static Set<String> slice(Set<String> set, Set<String> keys) {
    Set<String> out = new HashSet<>();
    for (String key : keys) {
      if (set.contains(key)) {
        out.add(key);
      }
    }
    return out;
  }
}
