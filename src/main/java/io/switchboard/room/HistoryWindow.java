package io.switchboard.room;

/**
 * Which retained messages a history read or a join returns (PROTOCOL.md, history and join).
 * Pure arithmetic over the log's seq range, so every paging rule is testable on its own.
 */
final class HistoryWindow {

  private HistoryWindow() {
  }

  /** Fills {@code reply.messages}, {@code firstSeq} and {@code more}; {@code before}/{@code after} are -1 when absent. */
  static void read(MessageRing log, long before, long after, int limit, RoomReply reply) {
    long first = log.firstSeq();
    long last = log.lastSeq();
    long hi = before >= 0 ? Math.min(before - 1, last) : last;
    long lo;
    long to;
    if (after >= last) {
      // nothing after it (and no arithmetic on a client's huge seq, which could overflow)
      reply.seq = last;
      reply.firstSeq = last + 1;
      reply.messages = java.util.List.of();
      reply.more = false;
      return;
    }
    if (after >= 0) {
      lo = Math.max(after + 1, first);
      to = lo > hi ? hi : lo + Math.min(limit - 1, hi - lo);
      reply.more = to < hi;
    } else {
      lo = Math.max(first, hi - limit + 1);
      to = hi;
      reply.more = lo > first && hi >= first;
    }
    reply.seq = last;
    reply.firstSeq = lo;
    reply.messages = lo <= to ? log.slice(lo, to) : java.util.List.of();
  }

  /**
   * A join: exactly the messages after {@code sinceSeq} when the epoch matches and all of them
   * are retained (at most {@code recoverMax}); otherwise the latest {@code history} messages.
   */
  static void join(MessageRing log, String epoch, long sinceSeq, String sinceEpoch, int history,
                   int recoverMax, RoomReply reply) {
    long last = log.lastSeq();
    if (sinceEpoch != null) {
      boolean recoverable = sinceEpoch.equals(epoch) && sinceSeq <= last
          && sinceSeq + 1 >= log.firstSeq() && last - sinceSeq <= recoverMax;
      reply.recovered = recoverable;
      if (recoverable) {
        reply.seq = last;
        reply.firstSeq = sinceSeq + 1;
        reply.messages = log.slice(sinceSeq + 1, last);
        return;
      }
    }
    reply.seq = last;
    long lo = Math.max(log.firstSeq(), last - history + 1);
    reply.firstSeq = lo;
    reply.messages = history > 0 ? log.slice(lo, last) : java.util.List.of();
  }
}
