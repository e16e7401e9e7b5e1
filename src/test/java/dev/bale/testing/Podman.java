package dev.bale.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A podman with private storage in a test's temporary directory, so tests never touch the machine's
 * own images. Containers run with runc, low limits and no network.
 */
public final class Podman {
  private final Path executable;
  private final Path root;

  /** Creates a podman whose storage lives under {@code directory}. */
  public Podman(Path directory) {
    this.executable = Program.require("podman", "podman");
    Program.require("runc", "runc");
    this.root = directory;
  }

  /** Loads the archive at {@code archive} and returns podman's output. */
  public String load(Path archive) throws IOException, InterruptedException {
    return command("load", "--input", archive.toString()).stdout();
  }

  /** Runs {@code image} with {@code args} and returns the finished container's output. */
  public Program.Result run(String image, List<String> args)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                "--runtime",
                "runc",
                "run",
                "--rm",
                "--ulimit",
                "nofile=1024:1024",
                "--ulimit",
                "nproc=1024:1024",
                "--network",
                "none",
                image));
    command.addAll(args);
    return podman(command);
  }

  /** Runs podman with {@code args} after the storage options, failing if it fails. */
  public Program.Result command(String... args) throws IOException, InterruptedException {
    return podman(List.of(args)).checked();
  }

  private Program.Result podman(List<String> args) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                executable.toString(),
                "--root",
                root.resolve("root").toString(),
                "--runroot",
                root.resolve("run").toString(),
                "--storage-driver",
                "vfs",
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "none"));
    command.addAll(args);
    return Program.run(command);
  }
}
