package io.switchboard.config;

import java.util.List;

/**
 * One configuration key: its name, type, default and allowed range. The table in
 * {@link ConfigKeys} is the single list of keys; the loader and the environment-variable
 * naming both come from it, so a key cannot exist in one place and not the other.
 */
public record ConfigKey(String name, Type type, Object defaultValue, long min, long max) {

  public enum Type { INT, LONG, BOOL, STRING, STRINGS }

  static ConfigKey integer(String name, int def, long min, long max) {
    return new ConfigKey(name, Type.INT, def, min, max);
  }

  static ConfigKey longKey(String name, long def, long min, long max) {
    return new ConfigKey(name, Type.LONG, def, min, max);
  }

  static ConfigKey bool(String name, boolean def) {
    return new ConfigKey(name, Type.BOOL, def, 0, 0);
  }

  static ConfigKey string(String name, String def) {
    return new ConfigKey(name, Type.STRING, def, 0, 0);
  }

  static ConfigKey strings(String name) {
    return new ConfigKey(name, Type.STRINGS, List.of(), 0, 0);
  }

  /** {@code limits.maxConnections} → {@code SWITCHBOARD_LIMITS_MAX_CONNECTIONS}. */
  public String envName() {
    StringBuilder sb = new StringBuilder("SWITCHBOARD_");
    for (char c : name.toCharArray()) {
      if (c == '.') {
        sb.append('_');
      } else if (Character.isUpperCase(c)) {
        sb.append('_').append(c);
      } else {
        sb.append(Character.toUpperCase(c));
      }
    }
    return sb.toString();
  }

  /** Converts a raw value (from JSON or from an environment string) or fails naming the key. */
  Object convert(Object raw, String source) {
    return switch (type) {
      case INT, LONG -> {
        long v = toLong(raw, source);
        if (v < min || v > max) {
          throw new ConfigException(name + " (" + source + ") must be between " + min + " and " + max + ", got " + v);
        }
        yield type == Type.INT ? (Object) (int) v : (Object) v;
      }
      case BOOL -> toBool(raw, source);
      case STRING -> {
        if (!(raw instanceof String s)) {
          throw new ConfigException(name + " (" + source + ") must be a string, got " + raw);
        }
        yield s;
      }
      case STRINGS -> toStrings(raw, source);
    };
  }

  private long toLong(Object raw, String source) {
    if (raw instanceof Integer || raw instanceof Long) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new ConfigException(name + " (" + source + ") must be a whole number, got '" + raw + "'");
  }

  private boolean toBool(Object raw, String source) {
    if (raw instanceof Boolean b) {
      return b;
    }
    // trimmed as numbers are: "false " from an env file stopped the node while " 8081 " passed
    String text = raw instanceof String s ? s.trim() : null;
    if (text != null && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(text);
    }
    throw new ConfigException(name + " (" + source + ") must be true or false, got '" + raw + "'");
  }

  private List<String> toStrings(Object raw, String source) {
    if (raw instanceof String s) {
      return s.isBlank() ? List.of() : List.of(s.trim().split("\\s*,\\s*"));
    }
    if (raw instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
      return list.stream().map(String.class::cast).toList();
    }
    throw new ConfigException(name + " (" + source + ") must be a list of strings, got " + raw);
  }
}
