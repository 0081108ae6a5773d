package io.switchboard.bench.jmh;

import io.switchboard.protocol.CommandDecoder;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.FrameEncoder;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** The codec on the publish path: decoding a client's publish frame, encoding the message frame once per node. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class CodecBenchmark {

  private final CommandDecoder decoder = new CommandDecoder(4000);
  private final String publish = "{\"type\":\"publish\",\"id\":42,\"room\":\"lobby\",\"text\":\"hello, how is everyone doing today?\"}";
  private final String withData = "{\"type\":\"publish\",\"id\":43,\"room\":\"lobby\",\"text\":\"order\",\"data\":{\"sku\":\"A-1\",\"qty\":3,\"tags\":[\"x\",\"y\"]}}";

  @Benchmark
  public Decoded decodePublish() {
    return decoder.decode(publish);
  }

  @Benchmark
  public Decoded decodePublishWithData() {
    return decoder.decode(withData);
  }

  @Benchmark
  public String encodeMessage() {
    return FrameEncoder.message("lobby", "alice", "Alice", null, "hello, how is everyone doing today?", null, false,
        "2026-11-25T04:00:00.000Z").withSeq(1234);
  }
}
