package dev.bale.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a real program that a test compares bale against, failing if it is not installed. */
public final class Program {
  private static final long TIMEOUT_SECONDS = 300;

  private Program() {}

  /**
   * Returns the path of {@code command} on the PATH.
   *
   * @throws AssertionError saying which Debian package to install when it is missing
   */
  public static Path require(String command, String debianPackage) {
    for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, command);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        command
            + " is missing: install "
            + debianPackage
            + " (apt-get install -y "
            + debianPackage
            + ")");
  }

  /** Runs {@code command} and returns what it did. */
  public static Result run(List<String> command) throws IOException, InterruptedException {
    return run(command, Map.of(), null);
  }

  /**
   * Runs {@code command} with extra environment variables {@code env} in {@code directory} (or the
   * current one when null) and returns what it did.
   */
  public static Result run(List<String> command, Map<String, String> env, Path directory)
      throws IOException, InterruptedException {
    Path stdout = Files.createTempFile("bale-test-out", ".txt");
    Path stderr = Files.createTempFile("bale-test-err", ".txt");
    try {
      ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
      builder.environment().putAll(env);
      if (directory != null) {
        builder.directory(directory.toFile());
      }
      builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
      Process process = builder.start();
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(command + " took more than " + TIMEOUT_SECONDS + "s");
      }
      return new Result(
          command,
          process.exitValue(),
          Files.readString(stdout, StandardCharsets.UTF_8),
          Files.readString(stderr, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }

  /** What a program did: its exit code and output. */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    /** Returns this result, or fails with the program's output if it did not exit with 0. */
    public Result checked() {
      if (exitCode != 0) {
        throw new AssertionError(
            String.join(" ", command)
                + " exited with "
                + exitCode
                + "\nstdout: "
                + stdout
                + "\nstderr: "
                + stderr);
      }
      return this;
    }
  }
}
