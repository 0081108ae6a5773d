package io.switchboard.gateway;

/**
 * The bytes that every {@link OrderedStream} of one event loop holds back for gaps, together.
 * Each stream's own bound (8 MiB) alone let a loop whose router shed frames (so that every busy
 * room had a gap) hold 8 MiB per room: 1.6 GiB for 200 rooms. Past this one, a stream lets its
 * lowest held frames go (one always stays), and its gap read brings them from the log. Confined
 * to its loop, as the streams are.
 */
final class HeldBudget {

  /** Four times a stream's own: a few rooms with gaps at once still hold what they need. */
  static final long LOOP_MAX_BYTES = 4 * OrderedStream.MAX_HELD_BYTES;

  final long maxBytes;
  long bytes;

  HeldBudget(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /** A stream of its own (tests, and streams made outside a gateway): no bound but its own. */
  static HeldBudget unbounded() {
    return new HeldBudget(Long.MAX_VALUE);
  }

  boolean over() {
    return bytes > maxBytes;
  }
}
