package dev.bale.cli;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Renders library events on standard error: warnings and errors always, lifecycle messages with
 * {@code --verbose}, and a one-line progress display that redraws itself only on a terminal, so
 * that pipes and logs stay quiet.
 */
final class TerminalEventSink implements EventSink {
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean interactive;
  private final boolean verbose;
  private final Map<String, long[]> tasks = new LinkedHashMap<>();
  private long lastDraw;
  private int drawnWidth;

  TerminalEventSink(PrintWriter err, boolean interactive, boolean verbose) {
    this.err = err;
    this.interactive = interactive;
    this.verbose = verbose;
  }

  /** Returns a sink for the process's standard error, interactive when it is a terminal. */
  static TerminalEventSink forProcess(PrintWriter err, boolean verbose) {
    return new TerminalEventSink(err, System.console() != null, verbose);
  }

  @Override
  public synchronized void log(Level level, String message) {
    if (level == Level.DEBUG || (level == Level.LIFECYCLE && !verbose)) {
      return;
    }
    clearLine();
    String prefix = level == Level.LIFECYCLE ? "" : level.name().toLowerCase() + ": ";
    err.println("bale: " + prefix + message);
    err.flush();
  }

  @Override
  public synchronized void progress(String task, long done, long total) {
    if (!interactive) {
      return;
    }
    if (total >= 0 && done >= total) {
      tasks.remove(task);
    } else {
      tasks.put(task, new long[] {done, total});
    }

    long now = System.nanoTime();
    if (now - lastDraw >= REDRAW_NANOS || tasks.isEmpty()) {
      lastDraw = now;
      draw();
    }
  }

  /** Removes the progress line, before a summary is printed. */
  synchronized void finish() {
    tasks.clear();
    clearLine();
  }

  private void draw() {
    clearLine();
    if (tasks.isEmpty()) {
      return;
    }
    StringBuilder line = new StringBuilder();
    for (Map.Entry<String, long[]> entry : tasks.entrySet()) {
      if (line.length() > 0) {
        line.append("  ");
      }
      long[] state = entry.getValue();
      line.append(entry.getKey()).append(' ').append(amount(state[0]));
      if (state[1] > 0) {
        line.append('/').append(amount(state[1]));
      }
    }
    String text = line.length() > 78 ? line.substring(0, 77) + "…" : line.toString();
    err.print(text);
    err.flush();
    drawnWidth = text.length();
  }

  private void clearLine() {
    if (drawnWidth > 0) {
      err.print("\r" + " ".repeat(drawnWidth) + "\r");
      err.flush();
      drawnWidth = 0;
    }
  }

  /** Formats a byte count the way people read it: 512 B, 3.4 MB. */
  static String amount(long bytes) {
    if (bytes < 1000) {
      return bytes + " B";
    }
    String units = "kMGTPE";
    double value = bytes;
    int unit = -1;
    while (value >= 999.95 && unit < units.length() - 1) {
      value /= 1000;
      unit++;
    }
    return String.format(java.util.Locale.ROOT, "%.1f %sB", value, units.charAt(unit));
  }
}
