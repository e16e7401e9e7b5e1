package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.event.Level;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TerminalEventSinkTest {
  @Test
  void progress_inPipe_printsNothing() {
    StringWriter text = new StringWriter();
    TerminalEventSink sink = new TerminalEventSink(new PrintWriter(text), false, false);

    sink.progress("layer 1", 10, 100);
    sink.progress("layer 1", 100, 100);
    sink.log(Level.LIFECYCLE, "packed");
    sink.finish();

    assertThat(text.toString()).isEmpty();
  }

  @Test
  void progress_onTerminal_drawsAndClearsOneLine() {
    StringWriter text = new StringWriter();
    TerminalEventSink sink = new TerminalEventSink(new PrintWriter(text), true, false);

    sink.progress("layer 1", 1500, 3_000_000);
    sink.finish();

    assertThat(text.toString())
        .startsWith("layer 1 1.5 kB/3.0 MB")
        .endsWith("\r")
        .doesNotContain("\n");
  }

  @Test
  void log_warning_isAlwaysPrinted() {
    StringWriter text = new StringWriter();
    TerminalEventSink sink = new TerminalEventSink(new PrintWriter(text), false, false);

    sink.log(Level.WARN, "registry '127.0.0.1:5000' is slow");
    sink.log(Level.DEBUG, "details");

    assertThat(text.toString()).isEqualTo("bale: warn: registry '127.0.0.1:5000' is slow\n");
  }

  @Test
  void amount_scales_likePeopleRead() {
    assertThat(TerminalEventSink.amount(999)).isEqualTo("999 B");
    assertThat(TerminalEventSink.amount(1000)).isEqualTo("1.0 kB");
    assertThat(TerminalEventSink.amount(354_000_000)).isEqualTo("354.0 MB");
  }
}
