package io.switchboard.gateway;

import java.util.List;

/**
 * Keeps a reply's stored messages within a byte budget. A {@code joined} or {@code history}
 * reply is one frame, and one frame past {@code limits.outboundBytes} would close its own reader
 * as a slow consumer: 50 stored messages of 64 KiB are a 3 MiB {@code joined}. The budget is half
 * of that limit, so the reply leaves room for the live stream behind it; what is left out can be
 * paged with {@code history} ({@code more} says so). At least one message always goes: a budget
 * below one message's size is the operator's choice of limits, and progress beats silence.
 */
final class ReplyBudget {

  private final long bytes;

  ReplyBudget(int outboundBytes) {
    this.bytes = outboundBytes / 2;
  }

  /** The newest messages (the list is oldest first) whose UTF-8 fits the budget, oldest first. */
  List<String> newest(List<String> messages) {
    long used = 0;
    for (int i = messages.size() - 1; i >= 0; i--) {
      used += utf8Length(messages.get(i));
      if (used > bytes && i < messages.size() - 1) {
        return messages.subList(i + 1, messages.size());
      }
    }
    return messages;
  }

  /** The oldest messages whose UTF-8 fits the budget. */
  List<String> oldest(List<String> messages) {
    long used = 0;
    for (int i = 0; i < messages.size(); i++) {
      used += utf8Length(messages.get(i));
      if (used > bytes && i > 0) {
        return messages.subList(0, i);
      }
    }
    return messages;
  }

  /**
   * What a {@code joined} or {@code members} list may take: half of the messages' budget. The
   * room's partition lists only the first members (sorted by user id) that fit, and the reply's
   * {@code count} still says how many there are. Every member of a room of 30 000 is a 1.4 MB
   * {@code joined}, which would close the joiner as a slow consumer at once, and again after
   * each reconnect.
   */
  long memberBytes() {
    return bytes / 2;
  }

  /** What a reply's messages may take; the room's partition cuts them to it ({@code HistoryWindow}). */
  long messageBytes() {
    return bytes;
  }

  static long utf8Length(String s) {
    return io.switchboard.protocol.Utf8.length(s);
  }
}
