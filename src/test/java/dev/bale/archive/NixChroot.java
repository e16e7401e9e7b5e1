package dev.bale.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A real Nix store rooted in a test's temporary directory ({@code nix-store --store ROOT}): its
 * logical directory is {@code /nix/store}, its files and database live under ROOT, and the
 * machine's own store is never touched.
 */
final class NixChroot {
  static final String STORE_DIRECTORY = "/nix/store";

  private final Path root;

  NixChroot(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** Returns the bale store URI of this store, opened read-only as a Nix store. */
  String baleUri() {
    return "nix?root=" + root;
  }

  /**
   * Builds the three-item closure of {@code closure.nix} with {@code nix-build} and returns the
   * top item's path; a different {@code salt} gives different items.
   */
  String buildClosure(Path workDirectory, String salt) throws IOException {
    Path expression = workDirectory.resolve("closure.nix");
    try (InputStream in = NixChroot.class.getResourceAsStream("closure.nix")) {
      Files.write(expression, in.readAllBytes());
    }
    Path busybox = requireTool("busybox", "busybox-static").toRealPath();
    Result result =
        run(
            null,
            "nix-build",
            "--store",
            root.toString(),
            "--option",
            "build-users-group",
            "",
            "--option",
            "sandbox-paths",
            "/busybox=" + busybox,
            "--no-out-link",
            "--argstr",
            "salt",
            salt,
            expression.toString());
    return result.text().strip();
  }

  /** Returns the closure of {@code path}, as {@code nix-store -qR} prints it. */
  List<String> requisites(String path) throws IOException {
    return run(null, "nix-store", "--store", root.toString(), "-qR", path).text().lines().toList();
  }

  /** Returns what {@code nix-store --export} writes for {@code paths}. */
  byte[] export(List<String> paths) throws IOException {
    List<String> command = new ArrayList<>(List.of("nix-store", "--store", root.toString()));
    command.add("--export");
    command.addAll(paths);
    return run(null, command.toArray(String[]::new)).stdout();
  }

  /** Runs {@code nix-store --import} on {@code archive} and returns its result, failed or not. */
  Result tryImport(byte[] archive) throws IOException {
    return runUnchecked(archive, "nix-store", "--store", root.toString(), "--import");
  }

  /** Returns the NAR hash that {@code nix-store -q --hash} prints, {@code sha256:BASE32}. */
  String narHash(String path) throws IOException {
    return run(null, "nix-store", "--store", root.toString(), "-q", "--hash", path).text().strip();
  }

  /** Returns the NAR size that {@code nix-store -q --size} prints. */
  long narSize(String path) throws IOException {
    String text = run(null, "nix-store", "--store", root.toString(), "-q", "--size", path).text();
    return Long.parseLong(text.strip());
  }

  /** Returns the direct references that {@code nix-store -q --references} prints. */
  List<String> references(String path) throws IOException {
    return run(null, "nix-store", "--store", root.toString(), "-q", "--references", path)
        .text()
        .lines()
        .toList();
  }

  /** What a finished program wrote and how it exited. */
  record Result(int exitCode, byte[] stdout, String stderr) {
    String text() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  /** Runs {@code command}, feeding it {@code stdin}, and fails the test unless it succeeds. */
  static Result run(byte[] stdin, String... command) throws IOException {
    Result result = runUnchecked(stdin, command);
    assertThat(result.exitCode())
        .as("exit code of %s, which printed: %s", String.join(" ", command), result.stderr())
        .isZero();
    return result;
  }

  /** Runs {@code command}, feeding it {@code stdin}, and returns how it went. */
  static Result runUnchecked(byte[] stdin, String... command) throws IOException {
    requireTool(command[0], command[0].startsWith("nix") ? "nix-bin" : command[0]);
    Process process = new ProcessBuilder(command).start();
    CompletableFuture<byte[]> stdout = drain(process.getInputStream());
    CompletableFuture<byte[]> stderr = drain(process.getErrorStream());
    try (OutputStream in = process.getOutputStream()) {
      if (stdin != null) {
        in.write(stdin);
      }
    } catch (IOException e) {
      // A program that fails before reading all its input closes the pipe; its exit code and
      // message say why, which is what callers check.
    }
    try {
      int code = process.waitFor();
      return new Result(code, stdout.join(), new String(stderr.join(), StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + command[0], e);
    }
  }

  private static CompletableFuture<byte[]> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (stream) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            stream.transferTo(bytes);
            return bytes.toByteArray();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** Returns the program {@code name} on the PATH, failing the test with how to install it. */
  static Path requireTool(String name, String debianPackage) {
    for (String directory : System.getenv("PATH").split(":")) {
      Path candidate = Path.of(directory, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new AssertionError(
        name + " is missing: install it (apt-get install -y " + debianPackage + ")");
  }
}
