package dev.bale.cli;

import dev.bale.event.EventSink;
import dev.bale.event.Level;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Renders library events on standard error: warnings and errors always, lifecycle messages with
 * {@code --verbose}, and a one-line progress display that redraws itself only on a terminal, so
 * that pipes and logs stay quiet.
 */
final class TerminalEventSink implements EventSink {
  private static final long REDRAW_NANOS = 100_000_000L;
  private static final Path STANDARD_ERROR_LINK = Path.of("/proc/self/fd/2");
  private static final Pattern DIGEST = Pattern.compile("sha256:([0-9a-f]{12})[0-9a-f]{52}");

  private final PrintWriter err;
  private final boolean interactive;
  private final boolean verbose;
  private final Map<String, Task> tasks = new LinkedHashMap<>();
  private long lastDraw;
  private int drawnWidth;

  TerminalEventSink(PrintWriter err, boolean interactive, boolean verbose) {
    this.err = err;
    this.interactive = interactive;
    this.verbose = verbose;
  }

  /** Returns a sink for the process's standard error, interactive when it is a terminal. */
  static TerminalEventSink forProcess(PrintWriter err, boolean verbose) {
    boolean console = System.console() != null;
    return new TerminalEventSink(
        err, interactive(standardErrorTarget(), System.getenv("TERM"), console), verbose);
  }

  /**
   * Decides whether progress may redraw itself on standard error. Where the system says what file
   * descriptor 2 leads to ({@code stderrTarget}, null when it does not), only a terminal device
   * counts, whatever standard input and output are: {@code pack -o - | ...} still shows progress,
   * and a log file gets no carriage returns. Elsewhere {@code console}, whether Java sees a
   * console, decides. A {@code TERM} of {@code dumb} cannot redraw a line, so it is never
   * interactive.
   */
  static boolean interactive(String stderrTarget, String term, boolean console) {
    if ("dumb".equals(term)) {
      return false;
    }
    if (stderrTarget == null) {
      return console;
    }
    return stderrTarget.startsWith("/dev/pts/") || stderrTarget.startsWith("/dev/tty");
  }

  /** Returns where file descriptor 2 leads on Linux, or null where /proc does not say. */
  private static String standardErrorTarget() {
    try {
      return Files.readSymbolicLink(STANDARD_ERROR_LINK).toString();
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }

  @Override
  public synchronized void log(Level level, String message) {
    if (level == Level.DEBUG || (level == Level.LIFECYCLE && !verbose)) {
      return;
    }
    clearLine();
    String prefix = level == Level.LIFECYCLE ? "" : level.name().toLowerCase(Locale.ROOT) + ": ";
    err.println("bale: " + prefix + message);
    err.flush();
  }

  @Override
  public void progress(String task, long done, long total) {
    update(task, new Task(done, total, false));
  }

  @Override
  public void progressCount(String task, long done, long total) {
    update(task, new Task(done, total, true));
  }

  private synchronized void update(String name, Task task) {
    if (!interactive) {
      return;
    }
    if (task.total() >= 0 && task.done() >= task.total()) {
      tasks.remove(name);
    } else {
      tasks.put(name, task);
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
    for (Map.Entry<String, Task> entry : tasks.entrySet()) {
      if (line.length() > 0) {
        line.append("  ");
      }
      line.append(shortName(entry.getKey())).append(' ').append(entry.getValue().text());
    }
    String text = line.length() > 78 ? line.substring(0, 77) + "…" : line.toString();
    err.print(text);
    err.flush();
    drawnWidth = text.length();
  }

  /**
   * Returns a task's name as the progress line shows it: a digest (blobs are tasks named by theirs)
   * cut to 12 hex digits, as docker and podman show them, so that several fit on one line.
   */
  static String shortName(String task) {
    return DIGEST.matcher(task).replaceAll("$1");
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
    return String.format(Locale.ROOT, "%.1f %sB", value, units.charAt(unit));
  }

  /** The last progress of one task, in bytes or in counted things. */
  private record Task(long done, long total, boolean counted) {
    /** Returns "3/10" for counts and "1.5 kB/3.0 MB" for bytes; no total when it is unknown. */
    String text() {
      String doneText = counted ? Long.toString(done) : amount(done);
      if (total <= 0) {
        return doneText;
      }
      return doneText + '/' + (counted ? Long.toString(total) : amount(total));
    }
  }
}
