package io.switchboard.bench;

/**
 * The publish time travels in the message text ({@code "text":"t<nanoTime>"}); the load
 * generator is one JVM, so publisher and receivers read the same clock. Found by a plain scan:
 * the receive path must cost far less than the server's.
 */
final class Stamp {

  private static final String MARK = "\"text\":\"t";

  private Stamp() {
  }

  static String publish(String room, long id) {
    return "{\"type\":\"publish\",\"id\":" + id + ",\"room\":\"" + room + "\",\"text\":\"t" + System.nanoTime() + "\"}";
  }

  /** The nanoTime stamped into a message frame, or -1 when the frame carries none. */
  static long of(String frame) {
    int at = frame.indexOf(MARK);
    if (at < 0) {
      return -1;
    }
    long value = 0;
    for (int i = at + MARK.length(); i < frame.length(); i++) {
      char c = frame.charAt(i);
      if (c < '0' || c > '9') {
        break;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  static boolean isAck(String frame) {
    return frame.startsWith("{\"type\":\"ack\"");
  }
}
