package dev.bale.testing;

import dev.bale.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs bale's command line in this JVM and keeps what it printed, for registry tests. */
public record RegistryCli(int exitCode, String out, String err) {
  /** Runs {@code bale ARGS...}. */
  public static RegistryCli run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new RegistryCli(code, out.toString(), err.toString());
  }
}
