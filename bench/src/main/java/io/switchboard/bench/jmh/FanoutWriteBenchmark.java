package io.switchboard.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.switchboard.room.EncodedFrame;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The fan-out write path per member, without a network: a view of the node's one encoded frame,
 * through Netty's WebSocket frame encoder into a channel, against encoding the frame again for
 * each member (what a per-socket encode would cost). Per delivery.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FanoutWriteBenchmark {

  private static final int MEMBERS = 1000;
  private static final String JSON = "{\"type\":\"message\",\"room\":\"lobby\",\"seq\":1234,\"from\":\"alice\",\"name\":\"Alice\","
      + "\"text\":\"hello, how is everyone doing today?\",\"ts\":\"2026-11-25T04:00:00.000Z\"}";

  private EncodedFrame frame;
  private EmbeddedChannel channel;

  @Setup
  public void setUp() {
    frame = EncodedFrame.of(JSON);
    channel = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
  }

  @Benchmark
  @OperationsPerInvocation(MEMBERS)
  public void sharedFrame() {
    for (int i = 0; i < MEMBERS; i++) {
      channel.write(new TextWebSocketFrame(frame.duplicate()));
    }
    drain();
  }

  @Benchmark
  @OperationsPerInvocation(MEMBERS)
  public void encodedPerMember() {
    for (int i = 0; i < MEMBERS; i++) {
      channel.write(new TextWebSocketFrame(EncodedFrame.of(JSON).duplicate()));
    }
    drain();
  }

  private void drain() {
    channel.flush();
    ByteBuf out;
    while ((out = channel.readOutbound()) != null) {
      out.release();
    }
  }
}
