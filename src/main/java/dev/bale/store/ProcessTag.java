package dev.bale.store;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names temporary files and directories after the process that writes them, {@code
 * PID-START-RANDOM} with START the process's start time in milliseconds, so that a later process
 * can tell what a killed one left behind (no process with that id, or one started at another time)
 * from what a running one is still writing.
 *
 * <p>LIMITATION: process ids are those of the current PID namespace; two containers sharing one
 * directory through a volume could each take the other's live files for leftovers and delete them,
 * making the other's command fail. A lock held on each file while in use would make this
 * independent of process ids.
 */
public final class ProcessTag {
  private static final Pattern TAG = Pattern.compile("(\\d+)-(\\d+)-[0-9a-f]+");
  private static final SecureRandom RANDOM = new SecureRandom();

  private ProcessTag() {}

  /** Returns a new tag of the current process, different from every earlier one. */
  public static String next() {
    byte[] random = new byte[8];
    RANDOM.nextBytes(random);
    ProcessHandle self = ProcessHandle.current();
    return self.pid() + "-" + startMillis(self).orElse(0L) + "-" + HexFormat.of().formatHex(random);
  }

  /**
   * Tells whether {@code tag} names a process that has ended; anything that is not a tag is not
   * stale.
   */
  public static boolean isStale(String tag) {
    Matcher matcher = TAG.matcher(tag);
    if (!matcher.matches()) {
      return false;
    }
    long pid = Long.parseLong(matcher.group(1));
    long start = Long.parseLong(matcher.group(2));
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isEmpty() || !process.get().isAlive()) {
      return true;
    }
    Optional<Long> actualStart = startMillis(process.get());
    return actualStart.isPresent() && start != 0 && actualStart.get() != start;
  }

  private static Optional<Long> startMillis(ProcessHandle process) {
    return process.info().startInstant().map(Instant::toEpochMilli);
  }
}
