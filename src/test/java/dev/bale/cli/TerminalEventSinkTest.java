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
  void progress_blobsNamedByDigest_drawShortDigestsSideBySide() {
    StringWriter text = new StringWriter();
    TerminalEventSink sink = new TerminalEventSink(new PrintWriter(text), true, false);
    String first = "sha256:" + "0123456789ab".repeat(5) + "cdef";
    String second = "sha256:" + "fedcba987654".repeat(5) + "3210";

    sink.progress(first, 1000, 2000);
    sink.progress(second, 0, 5000);
    sink.finish();

    assertThat(text.toString())
        .contains("0123456789ab 1.0 kB/2.0 kB")
        .doesNotContain("0123456789ab0");
    assertThat(TerminalEventSink.shortName(second)).isEqualTo("fedcba987654");
    assertThat(TerminalEventSink.shortName("writing layers")).isEqualTo("writing layers");
  }

  @Test
  void progressCount_onTerminal_drawsCountsWithoutUnits() {
    StringWriter text = new StringWriter();
    TerminalEventSink sink = new TerminalEventSink(new PrintWriter(text), true, false);

    sink.progressCount("writing layers", 3, 10);
    sink.finish();

    assertThat(text.toString()).startsWith("writing layers 3/10\r").doesNotContain(" B");
  }

  @Test
  void progress_unknownTotal_drawsBytesDoneOnly() {
    StringWriter text = new StringWriter();
    TerminalEventSink sink = new TerminalEventSink(new PrintWriter(text), true, false);

    sink.progress("upload", 2500, -1);
    sink.finish();

    assertThat(text.toString()).startsWith("upload 2.5 kB\r");
  }

  @Test
  void interactive_stderrOnTerminal_evenWhenStdoutIsPiped() {
    // Java's console is absent when standard output is a pipe (pack -o - | ...).
    assertThat(TerminalEventSink.interactive("/dev/pts/3", "xterm", false)).isTrue();
    assertThat(TerminalEventSink.interactive("/dev/tty1", "linux", false)).isTrue();
  }

  @Test
  void interactive_stderrToFileOrPipe_isQuietEvenWithAConsole() {
    assertThat(TerminalEventSink.interactive("/tmp/pack.log", "xterm", true)).isFalse();
    assertThat(TerminalEventSink.interactive("pipe:[81723]", "xterm", true)).isFalse();
    assertThat(TerminalEventSink.interactive("/dev/null", "xterm", true)).isFalse();
  }

  @Test
  void interactive_dumbTerminal_isQuiet() {
    assertThat(TerminalEventSink.interactive("/dev/pts/3", "dumb", true)).isFalse();
    assertThat(TerminalEventSink.interactive(null, "dumb", true)).isFalse();
  }

  @Test
  void interactive_withoutProc_fallsBackToTheConsole() {
    assertThat(TerminalEventSink.interactive(null, "xterm", true)).isTrue();
    assertThat(TerminalEventSink.interactive(null, null, false)).isFalse();
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
