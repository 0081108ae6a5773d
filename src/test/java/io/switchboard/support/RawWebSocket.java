package io.switchboard.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A WebSocket client with nothing automatic: it upgrades, then sends only what the test writes
 * and answers no ping. It plays the client whose network died (or that never reads).
 */
public final class RawWebSocket implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;
  /** permessage-deflate, when negotiated: one context each way for the connection's life. */
  private Deflater deflater;
  private Inflater inflater;

  private RawWebSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  public static RawWebSocket open(int port, String token) throws IOException {
    return open(port, token, "");
  }

  /**
   * Opens with permessage-deflate offered; fails unless the server accepts it. Frames the server
   * compresses are read inflated; {@link #sendCompressed} sends compressed ones.
   */
  public static RawWebSocket openDeflate(int port, String token) throws IOException {
    RawWebSocket ws = open(port, token, "Sec-WebSocket-Extensions: permessage-deflate\r\n");
    if (ws.deflater == null) {
      ws.close();
      throw new IOException("the server did not accept permessage-deflate");
    }
    return ws;
  }

  private static RawWebSocket open(int port, String token, String extraHeaders) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((int) Await.SECONDS * 1000);
    byte[] key = new byte[16];
    new SecureRandom().nextBytes(key);
    String request = "GET /ws?token=" + token + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n" + extraHeaders + "\r\n";
    RawWebSocket ws = new RawWebSocket(socket);
    try {
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      String status = ws.readLine();
      if (!status.contains(" 101 ")) {
        throw new IOException("upgrade refused: " + status);
      }
      for (String header = ws.readLine(); !header.isEmpty(); header = ws.readLine()) {
        if (header.toLowerCase(java.util.Locale.ROOT).startsWith("sec-websocket-extensions:")
            && header.contains("permessage-deflate")) {
          ws.deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
          ws.inflater = new Inflater(true);
        }
      }
      return ws;
    } catch (IOException | RuntimeException e) { // no socket for the caller to close
      socket.close();
      throw e;
    }
  }

  private String readLine() throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    return sb.toString();
  }

  /** Sends one masked text frame, as a client must. */
  /** Bytes received and not read yet: what the kernel holds for this socket. */
  public int unread() throws IOException {
    return in.available();
  }

  public void sendText(String text) throws IOException {
    sendFrame(0x1, text.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends text frames in one write, so that the server reads them together. */
  public void sendTexts(java.util.List<String> texts) throws IOException {
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    for (String text : texts) {
      all.write(frame(0x1, text.getBytes(StandardCharsets.UTF_8)));
    }
    out.write(all.toByteArray());
    out.flush();
  }

  /** Sends one final, masked frame with any opcode and payload (invalid UTF-8 in a text frame, say). */
  public void sendFrame(int opcode, byte[] payload) throws IOException {
    out.write(frame(opcode, payload));
    out.flush();
  }

  /** Sends bytes as they are: framing a server must refuse (an unmasked frame, reserved bits). */
  public void sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /**
   * Sends one compressed text message of {@code copies} times {@code chunk} (UTF-8) in one frame,
   * deflated as it goes: a message of many megabytes costs this side a few kilobytes.
   */
  public void sendCompressed(String chunk, int copies) throws IOException {
    byte[] input = chunk.getBytes(StandardCharsets.UTF_8);
    java.io.ByteArrayOutputStream compressed = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    for (int i = 0; i < copies; i++) {
      deflater.setInput(input);
      while (!deflater.needsInput()) {
        compressed.write(buf, 0, deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH));
      }
    }
    int n;
    do {
      n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
      compressed.write(buf, 0, n);
    } while (n == buf.length);
    byte[] all = compressed.toByteArray();
    // RFC 7692: the message ends without the sync flush's empty block (00 00 ff ff)
    out.write(frame(0x40 | 0x1, java.util.Arrays.copyOf(all, all.length - 4)));
    out.flush();
  }

  private byte[] inflate(byte[] payload) throws IOException {
    inflater.setInput(java.nio.ByteBuffer.allocate(payload.length + 4).put(payload).put(new byte[] {0, 0, -1, -1}).flip());
    java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
    byte[] buf = new byte[16 * 1024];
    try {
      while (!inflater.needsInput()) {
        text.write(buf, 0, inflater.inflate(buf));
      }
    } catch (DataFormatException e) {
      throw new IOException(e);
    }
    return text.toByteArray();
  }

  private static byte[] frame(int opcode, byte[] payload) {
    byte[] mask = new byte[4];
    new SecureRandom().nextBytes(mask);
    java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
    frame.write(0x80 | opcode);
    if (payload.length < 126) {
      frame.write(0x80 | payload.length);
    } else if (payload.length < 65536) {
      frame.write(0x80 | 126);
      frame.write(payload.length >> 8);
      frame.write(payload.length & 0xff);
    } else {
      frame.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        frame.write((int) ((long) payload.length >> shift) & 0xff);
      }
    }
    frame.write(mask, 0, mask.length);
    for (int i = 0; i < payload.length; i++) {
      frame.write(payload[i] ^ mask[i % 4]);
    }
    return frame.toByteArray();
  }

  /**
   * The next text message's payload, its continuation frames joined (pings skipped), or null
   * when the server closed instead.
   */
  public String readText() throws IOException {
    while (true) {
      int b0 = in.read();
      if (b0 == -1) {
        return null;
      }
      byte[] payload = readPayload();
      int opcode = b0 & 0x0f;
      if (opcode == 0x1) {
        boolean compressed = (b0 & 0x40) != 0;
        java.io.ByteArrayOutputStream message = new java.io.ByteArrayOutputStream();
        message.write(payload);
        for (int fin = b0 & 0x80; fin == 0; ) {
          int next = in.read();
          if (next == -1) {
            return null;
          }
          message.write(readPayload());
          fin = next & 0x80;
        }
        payload = message.toByteArray();
        return new String(compressed ? inflate(payload) : payload, StandardCharsets.UTF_8);
      }
      if (opcode == 0x8) {
        return null;
      }
    }
  }

  private byte[] readPayload() throws IOException {
    int len = in.read() & 0x7f;
    if (len == 126) {
      len = in.readUnsignedShort();
    } else if (len == 127) {
      len = (int) in.readLong();
    }
    return in.readNBytes(len);
  }

  /**
   * Reads frames until the server's close frame (skipping text and ping frames): its status
   * code, or -1 when the connection ended without one.
   */
  public int awaitCloseCode() throws IOException {
    while (true) {
      int b0 = in.read();
      if (b0 == -1) {
        return -1;
      }
      byte[] payload = readPayload();
      if ((b0 & 0x0f) == 0x8) {
        return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
      }
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
