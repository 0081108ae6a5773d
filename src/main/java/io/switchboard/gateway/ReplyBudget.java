package io.switchboard.gateway;

/**
 * What a connection's replies may take. A {@code joined} or {@code history} reply is one frame,
 * and one frame past {@code limits.outboundBytes} would close its own reader as a slow consumer:
 * 50 stored messages of 64 KiB are a 3 MiB {@code joined}. The messages get half of that limit,
 * so the reply leaves room for the live stream behind it, and the room's partition cuts them to
 * it ({@code HistoryWindow}: the newest, or a forward page's oldest, and at least one); what is
 * left out can be paged with {@code history} ({@code more} says so).
 */
public final class ReplyBudget {

  private final long bytes;

  public ReplyBudget(int outboundBytes) {
    this.bytes = outboundBytes / 2;
  }

  /**
   * What a {@code joined} or {@code members} list may take: half of the messages' budget. The
   * room's partition lists only the first members (sorted by user id) that fit, and the reply's
   * {@code count} still says how many there are. Every member of a room of 30 000 is a 1.4 MB
   * {@code joined}, which would close the joiner as a slow consumer at once, and again after
   * each reconnect.
   */
  public long memberBytes() {
    return bytes / 2;
  }

  /** What a reply's messages may take. */
  public long messageBytes() {
    return bytes;
  }
}
