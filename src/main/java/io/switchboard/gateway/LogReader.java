package io.switchboard.gateway;

import io.vertx.core.Future;
import java.util.Map;

/** Reads retained messages after a seq from the room's log. */
interface LogReader {
  Future<LogPage> after(String room, long afterSeq, int limit);

  /**
   * Where each room's log ends (epoch, last seq), one call per partition: rooms left out could
   * not be read. Without it (the default), every stream reads its log after a node died.
   */
  default Future<Map<String, Map.Entry<String, Long>>> tails(java.util.Set<String> rooms) {
    return Future.failedFuture("no tails here");
  }
}
