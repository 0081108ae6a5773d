package io.switchboard.bench;

import java.util.HashMap;
import java.util.Map;

/** {@code --key value} command-line options with defaults. */
final class Args {

  private final Map<String, String> values = new HashMap<>();

  Args(String[] args) {
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --key value, got " + args[i]);
      }
      values.put(args[i].substring(2), args[i + 1]);
    }
  }

  String string(String key, String fallback) {
    return values.getOrDefault(key, fallback);
  }

  int integer(String key, int fallback) {
    return values.containsKey(key) ? Integer.parseInt(values.get(key)) : fallback;
  }

  int[] integers(String key, String fallback) {
    String[] parts = string(key, fallback).split(",");
    int[] out = new int[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Integer.parseInt(parts[i].trim());
    }
    return out;
  }
}
