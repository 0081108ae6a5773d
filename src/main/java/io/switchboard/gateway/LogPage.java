package io.switchboard.gateway;

import java.util.List;

/**
 * A read of the log: {@code messages} from {@code firstSeq} on; {@code more}: the log held more
 * after them when read (the read's count or byte budget cut it). {@code epoch}: the log read
 * ("" when the room had none, null when not known), which ended at {@code lastSeq}.
 */
record LogPage(long firstSeq, List<String> messages, boolean more, String epoch, long lastSeq) {
  LogPage(long firstSeq, List<String> messages, boolean more) {
    this(firstSeq, messages, more, null, -1);
  }

  /** Read from another log than {@code epoch}: its seqs say nothing of that one's. */
  boolean ofAnotherLogThan(String epoch) {
    return this.epoch != null && !this.epoch.isEmpty() && !this.epoch.equals(epoch);
  }
}
