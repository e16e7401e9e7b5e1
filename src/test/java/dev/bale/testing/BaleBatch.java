package dev.bale.testing;

import dev.bale.cli.Main;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs several bale command lines, separated by {@code ::}, in one process, so that tests can run
 * many commands under one time zone and umask without starting a JVM for each. Exits with the first
 * non-zero status.
 */
public final class BaleBatch {
  private BaleBatch() {}

  /** Runs each {@code ::}-separated command line in turn. */
  public static void main(String[] args) {
    List<String> command = new ArrayList<>();
    for (int i = 0; i <= args.length; i++) {
      if (i == args.length || args[i].equals("::")) {
        int code = Main.run(command.toArray(String[]::new));
        if (code != 0) {
          System.exit(code);
        }
        command.clear();
      } else {
        command.add(args[i]);
      }
    }
  }
}
