package io.switchboard.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.ToDoubleFunction;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The fan-out charts (JFreeChart, PNG): p99 latency and deliveries per second against the message rate. */
final class Charts {

  /** One line: a server's steps. */
  record Series(String name, JsonArray steps) {
  }

  private Charts() {
  }

  static void fanout(Path dir, List<Series> series) throws IOException {
    List<Series> lines = series.stream().filter(Objects::nonNull).toList();
    save(dir.resolve("fanout-latency.png"), "Fan-out to 1000 members: p99 publish→delivery", "p99 latency (ms)",
        lines, s -> s.getLong("p99Micros") / 1000.0);
    save(dir.resolve("fanout-throughput.png"), "Fan-out to 1000 members: deliveries per second", "deliveries/s",
        lines, s -> s.getLong("deliveriesPerSecond"));
  }

  static void publish(Path dir, List<Series> series) throws IOException {
    List<Series> lines = series.stream().filter(Objects::nonNull).toList();
    save(dir.resolve("publish-latency.png"), "Publishes into 100 rooms: p99 publish→ack", "p99 latency (ms)",
        lines, s -> s.getLong("p99Micros") / 1000.0, "publishes/s, all rooms");
  }

  private static void save(Path file, String title, String yLabel, List<Series> lines, ToDoubleFunction<JsonObject> y)
      throws IOException {
    save(file, title, yLabel, lines, y, "messages/s into the room");
  }

  private static void save(Path file, String title, String yLabel, List<Series> lines, ToDoubleFunction<JsonObject> y,
                           String xLabel) throws IOException {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series line : lines) {
      XYSeries xy = new XYSeries(line.name());
      for (Object o : line.steps()) {
        JsonObject step = (JsonObject) o;
        xy.add(step.getInteger("rate").doubleValue(), Math.max(0.01, y.applyAsDouble(step)));
      }
      data.addSeries(xy);
    }
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data,
        PlotOrientation.VERTICAL, true, false, false);
    XYPlot plot = chart.getXYPlot();
    LogAxis x = new LogAxis(xLabel + " (log)");
    x.setBase(2);
    x.setNumberFormatOverride(new java.text.DecimalFormat("#,##0"));
    plot.setDomainAxis(x);
    LogAxis yAxis = new LogAxis(yLabel + " (log)");
    yAxis.setNumberFormatOverride(new java.text.DecimalFormat("#,##0.##"));
    plot.setRangeAxis(yAxis);
    ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 500);
  }
}
