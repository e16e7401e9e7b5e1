package dev.bale.testing;

import dev.bale.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs bale's command line in this JVM against an embedded store in a test's temporary directory,
 * and builds the busybox closure the image tests pack.
 */
public final class Bale {
  private final String storeUri;

  /** Uses an embedded store whose physical root is {@code root}. */
  public Bale(Path root) {
    this("local?root=" + root);
  }

  /** Uses the store at {@code storeUri}, such as a chroot Nix store. */
  public Bale(String storeUri) {
    this.storeUri = storeUri;
  }

  /** Returns the {@code --store} URI. */
  public String storeUri() {
    return storeUri;
  }

  /** Runs {@code bale --store URI ARGS...}. */
  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--store", storeUri));
    all.addAll(List.of(args));
    String[] array = all.toArray(String[]::new);
    int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), array);
    return new Result(code, out.toString(), err.toString());
  }

  /** Adds {@code path} as {@code name} and returns its store path. */
  public String add(Path path, String name) {
    Result result = run("add", "--name", name, path.toString());
    if (result.exitCode() != 0) {
      throw new AssertionError("bale add failed: " + result.err());
    }
    return result.out().strip();
  }

  /**
   * Adds a busybox item ({@code bin/busybox}, {@code bin/sh} linking to it) and a {@code hello}
   * item whose {@code bin/hello} script runs busybox's shell by its store path and prints {@code
   * text}; returns their store paths, busybox first.
   */
  public List<String> addHelloClosure(Path work, String text) throws IOException {
    Path busybox = Files.createDirectories(work.resolve("busybox/bin"));
    Files.copy(Program.require("busybox", "busybox-static"), busybox.resolve("busybox"));
    Files.createSymbolicLink(busybox.resolve("sh"), Path.of("busybox"));
    String busyboxPath = add(busybox.getParent(), "busybox-static");

    Path hello = Files.createDirectories(work.resolve("hello/bin"));
    Path script = hello.resolve("hello");
    Files.writeString(script, "#!" + busyboxPath + "/bin/sh\necho '" + text + "' \"$@\"\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(hello.getParent().resolve("README"), "greets\n");
    String helloPath = add(hello.getParent(), "hello-2.12");
    return List.of(busyboxPath, helloPath);
  }

  /** What a command did. */
  public record Result(int exitCode, String out, String err) {}
}
