package dev.bale.store;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real Nix store in a temporary directory (a chroot store: files under {@code ROOT/nix/store},
 * database under {@code ROOT/nix/var/nix/db}, store directory {@code /nix/store}), driven by the
 * real {@code nix-store} and {@code nix-build}, for tests that compare bale with Nix. It never
 * touches the machine's own store.
 *
 * <pre>{@code
 * NixChrootStore nix = NixChrootStore.create(tempDir);
 * NixChrootStore.Closure closure = nix.buildClosure();
 * try (Store store = Stores.open(nix.uri())) { ... }
 * String expected = nix.nixStore("-qR", closure.top().toString());
 * }</pre>
 */
public final class NixChrootStore {
  /**
   * The start of every expression built here: {@code mk NAME SCRIPT}, a derivation whose builder is
   * the static busybox running SCRIPT, and {@code bb}, busybox's path for the scripts.
   */
  private static final String DERIVATIONS =
      """
      let
        mk = name: script: derivation {
          inherit name;
          system = builtins.currentSystem;
          builder = "/bin/busybox";
          args = [ "sh" "-c" script ];
        };
        bb = "/bin/busybox";
      """;

  private static final String INSTALL_NIX = "install nix-bin (apt-get install -y nix-bin)";
  private static final String INSTALL_BUSYBOX =
      "install busybox-static (apt-get install -y busybox-static)";
  private static final Path BUSYBOX = Path.of("/bin/busybox");

  private final Path directory;
  private final Path root;

  private NixChrootStore(Path directory) {
    this.directory = directory;
    this.root = directory.resolve("root");
  }

  /** Creates an empty chroot store under {@code directory}, which the test owns. */
  public static NixChrootStore create(Path directory) {
    return new NixChrootStore(directory);
  }

  /** Returns the chroot directory: the store is in {@code root()/nix/store}. */
  public Path root() {
    return root;
  }

  /** Returns the bale store URI of this store, {@code nix?root=ROOT}. */
  public String uri() {
    return "nix?root=" + root;
  }

  /** Returns where the tree of {@code path} lies on this machine. */
  public Path physicalPath(StorePath path) {
    return root.resolve("nix/store").resolve(path.baseName());
  }

  /** Adds {@code source} with {@code nix-store --add} and returns its store path. */
  public StorePath add(Path source) {
    return StorePath.parse("/nix/store", nixStore("--add", source.toString()).strip());
  }

  /** Runs {@code nix-store --store ROOT ARGS...} and returns its standard output. */
  public String nixStore(String... args) {
    List<String> command = new ArrayList<>(List.of("nix-store", "--store", root.toString()));
    command.addAll(Arrays.asList(args));
    return run(command);
  }

  /** Runs {@code nix ARGS... --store ROOT} with its nix-command feature and returns its output. */
  public String nix(String... args) {
    List<String> command =
        new ArrayList<>(List.of("nix", "--experimental-features", "nix-command"));
    command.addAll(Arrays.asList(args));
    command.addAll(List.of("--store", root.toString()));
    return run(command);
  }

  /** Runs {@code nix-hash ARGS...}, which needs no store, and returns its standard output. */
  public String nixHash(String... args) {
    List<String> command = new ArrayList<>(List.of("nix-hash"));
    command.addAll(Arrays.asList(args));
    return run(command);
  }

  /** Three items built by {@code nix-build}: top refers to middle and leaf, middle to leaf. */
  public record Closure(StorePath leaf, StorePath middle, StorePath top) {
    /** Returns the three items, references first. */
    public List<StorePath> all() {
      return List.of(leaf, middle, top);
    }
  }

  /**
   * Builds a closure of three items with {@code nix-build}, offline: derivations whose builder is
   * the static busybox, a leaf with a data file and an executable, a middle item whose file names
   * the leaf, and a top item naming the middle item in a file and linking into the leaf. {@code
   * salt} goes into every item so that tests can build distinct closures.
   */
  public Closure buildClosure(String salt) {
    String expression =
        DERIVATIONS
            + """
          leaf = mk "leaf-1.0" ''
            ${bb} mkdir -p $out/bin
            ${bb} echo 'leaf SALT' > $out/data
            ${bb} echo '#!/bin/sh' > $out/bin/run
            ${bb} chmod 755 $out/bin/run
          '';
          middle = mk "middle-2.1" ''
            ${bb} mkdir $out
            ${bb} echo '${leaf}/data SALT' > $out/ref
          '';
          top = mk "top-3" ''
            ${bb} mkdir -p $out/bin
            ${bb} echo '${middle} SALT' > $out/ref
            ${bb} ln -s ${leaf}/bin/run $out/bin/run
          '';
        in { inherit leaf middle top; }
        """
                .replace("SALT", salt);
    List<StorePath> built = build(expression, "leaf", "middle", "top");
    return new Closure(built.get(0), built.get(1), built.get(2));
  }

  /**
   * Builds a fork with {@code nix-build}: two unrelated items, {@code alpha-1} and {@code beta-1},
   * and {@code both-1}, which refers to each; returned in that order. {@code salt} goes into every
   * item.
   */
  public List<StorePath> buildFork(String salt) {
    String expression =
        DERIVATIONS
            + """
          alpha = mk "alpha-1" "${bb} echo 'alpha SALT' > $out";
          beta = mk "beta-1" "${bb} echo 'beta SALT' > $out";
          both = mk "both-1" ''
            ${bb} mkdir $out
            ${bb} echo '${alpha} ${beta} SALT' > $out/refs
          '';
        in { inherit alpha beta both; }
        """
                .replace("SALT", salt);
    return build(expression, "alpha", "beta", "both");
  }

  /**
   * Builds, with {@code nix-build}, a closure that runs in a container: an item holding the static
   * busybox as {@code bin/busybox} and {@code bin/sh}, and {@code greet-1.0}, whose script {@code
   * bin/greet} runs busybox's shell by its store path and prints {@code text} and its arguments.
   * Returns the store path of {@code greet-1.0}.
   */
  public StorePath buildRunnableClosure(String text) {
    String expression =
        DERIVATIONS
            + """
          busybox = mk "busybox-static-1.36" ''
            ${bb} mkdir -p $out/bin
            ${bb} cp ${bb} $out/bin/busybox
            ${bb} ln -s busybox $out/bin/sh
          '';
          greet = mk "greet-1.0" ''
            ${bb} mkdir -p $out/bin
            ${bb} echo '#!${busybox}/bin/sh' > $out/bin/greet
            ${bb} echo 'echo "TEXT" "$@"' >> $out/bin/greet
            ${bb} chmod 755 $out/bin/greet
          '';
        in { inherit greet; }
        """
                .replace("TEXT", text);
    return build(expression, "greet").get(0);
  }

  /**
   * Builds the {@code attributes} of the Nix {@code expression} with {@code nix-build}, offline,
   * and returns their store paths in that order. Derivations use {@code /bin/busybox} as builder.
   */
  public List<StorePath> build(String expression, String... attributes) {
    if (!Files.isExecutable(BUSYBOX)) {
      fail("building a Nix closure needs " + BUSYBOX + ": " + INSTALL_BUSYBOX);
    }
    Path file = directory.resolve("build-" + expression.hashCode() + ".nix");
    try {
      Files.writeString(file, expression);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "nix-build",
                "--store",
                root.toString(),
                "--option",
                "build-users-group",
                "",
                "--option",
                "sandbox",
                "false",
                "--option",
                "substituters",
                "",
                // A chroot store builds in a chroot of ROOT: the builder must be visible there.
                "--option",
                "extra-sandbox-paths",
                BUSYBOX.toString(),
                "--no-out-link",
                file.toString()));
    for (String attribute : attributes) {
      command.addAll(List.of("-A", attribute));
    }
    List<StorePath> built =
        run(command).lines().map(line -> StorePath.parse("/nix/store", line)).toList();
    if (built.size() != attributes.length) {
      fail("nix-build printed " + built + ", not " + attributes.length + " store paths");
    }
    return built;
  }

  private String run(List<String> command) {
    ProcessBuilder builder = new ProcessBuilder(command);
    Map<String, String> environment = builder.environment();
    // Keep Nix's caches and configuration out of the user's home.
    environment.put("HOME", directory.resolve("home").toString());
    environment.put("XDG_CACHE_HOME", directory.resolve("home/cache").toString());
    environment.put("XDG_CONFIG_HOME", directory.resolve("home/config").toString());
    environment.put("XDG_DATA_HOME", directory.resolve("home/data").toString());
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      return fail("cannot run " + command.get(0) + ": " + INSTALL_NIX, e);
    }
    try {
      CompletableFuture<byte[]> errors = readAll(process.getErrorStream());
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return fail(String.join(" ", command) + " did not finish in 120 s");
      }
      String stderr = new String(errors.join(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        return fail(String.join(" ", command) + " failed: " + stderr);
      }
      return new String(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static CompletableFuture<byte[]> readAll(InputStream in) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            in.transferTo(bytes);
            return bytes.toByteArray();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }
}
