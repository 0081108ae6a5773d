package io.switchboard.room;

/**
 * Which retained messages a history read or a join returns (PROTOCOL.md, history and join).
 * Pure arithmetic over the log's seq range, so every paging rule is testable on its own.
 *
 * <p>A byte budget (0: none) keeps a reply to what its reader can be sent in one frame: cut
 * here, on the partition, 500 stored messages of 64 KiB were 32 MB built, carried to the
 * reader's node and decoded on its event loop, to send 512 KiB of them. Paging forward keeps a
 * page's oldest messages, anything else its newest, and at least one message always goes.
 */
final class HistoryWindow {

  private HistoryWindow() {
  }

  /** Fills {@code reply.messages}, {@code firstSeq} and {@code more}; {@code before}/{@code after} are -1 when absent. */
  static void read(MessageRing log, long before, long after, int limit, RoomReply reply) {
    read(log, before, after, limit, 0, reply);
  }

  static void read(MessageRing log, long before, long after, int limit, long budget, RoomReply reply) {
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
      if (budget > 0 && lo <= to) {
        to = log.fitFrom(lo, to, budget);
      }
      reply.more = to < hi;
    } else {
      lo = Math.max(first, hi - limit + 1);
      to = hi;
      if (budget > 0 && lo <= to) {
        lo = log.fitTo(lo, to, budget);
      }
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
    join(log, epoch, sinceSeq, sinceEpoch, history, recoverMax, 0, reply);
  }

  /** With a budget, a recovery that does not fit answers {@code recovered: false} and the latest messages that do. */
  static void join(MessageRing log, String epoch, long sinceSeq, String sinceEpoch, int history,
                   int recoverMax, long budget, RoomReply reply) {
    long last = log.lastSeq();
    if (sinceEpoch != null) {
      boolean recoverable = sinceEpoch.equals(epoch) && sinceSeq <= last
          && sinceSeq + 1 >= log.firstSeq() && last - sinceSeq <= recoverMax
          && (budget <= 0 || sinceSeq == last || log.fitTo(sinceSeq + 1, last, budget) == sinceSeq + 1);
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
    if (budget > 0 && history > 0 && lo <= last) {
      lo = log.fitTo(lo, last, budget);
    }
    reply.firstSeq = lo;
    reply.messages = history > 0 ? log.slice(lo, last) : java.util.List.of();
  }
}
