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
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Runs the real {@code nix-store} on a chroot store ({@code nix-store --store ROOT}) with binary
 * input and output, which exports and imports need; the store fixture {@link
 * dev.bale.store.NixChrootStore} builds the items. The machine's own store is never touched.
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

  /** Returns the closure of {@code path}, as {@code nix-store -qR} prints it. */
  List<String> requisites(String path) throws IOException {
    return nixStore(null, "-qR", path).text().lines().toList();
  }

  /** Returns what {@code nix-store --export} writes for {@code paths}. */
  byte[] export(List<String> paths) throws IOException {
    List<String> args = new ArrayList<>(List.of("--export"));
    args.addAll(paths);
    return nixStore(null, args.toArray(String[]::new)).stdout();
  }

  /** Runs {@code nix-store --import} on {@code archive} and returns its result, failed or not. */
  Result tryImport(byte[] archive) throws IOException {
    return nixStoreUnchecked(archive, "--import");
  }

  /** Returns the NAR hash that {@code nix-store -q --hash} prints, {@code sha256:BASE32}. */
  String narHash(String path) throws IOException {
    return nixStore(null, "-q", "--hash", path).text().strip();
  }

  /** Returns the NAR size that {@code nix-store -q --size} prints. */
  long narSize(String path) throws IOException {
    return Long.parseLong(nixStore(null, "-q", "--size", path).text().strip());
  }

  /** Returns the direct references that {@code nix-store -q --references} prints. */
  List<String> references(String path) throws IOException {
    return nixStore(null, "-q", "--references", path).text().lines().toList();
  }

  /** Runs {@code nix-store --store ROOT ARGS...} and fails the test unless it succeeds. */
  Result nixStore(byte[] stdin, String... args) throws IOException {
    Result result = nixStoreUnchecked(stdin, args);
    assertThat(result.exitCode())
        .as("exit code of nix-store %s, which printed: %s", String.join(" ", args), result.stderr())
        .isZero();
    return result;
  }

  private Result nixStoreUnchecked(byte[] stdin, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("nix-store", "--store", root.toString()));
    command.addAll(List.of(args));
    // Keep Nix's caches and configuration out of the user's home.
    Path home = Files.createDirectories(root.resolveSibling("nix-home"));
    return runUnchecked(Map.of("HOME", home.toString()), stdin, command.toArray(String[]::new));
  }

  /** What a finished program wrote and how it exited. */
  record Result(int exitCode, byte[] stdout, String stderr) {
    String text() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  /**
   * Runs {@code command} with {@code environment} added, feeding it {@code stdin}, and returns how
   * it went.
   */
  static Result runUnchecked(Map<String, String> environment, byte[] stdin, String... command)
      throws IOException {
    if (command[0].startsWith("nix")) {
      requireTool(command[0], "nix-bin");
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(environment);
    Process process = builder.start();
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
