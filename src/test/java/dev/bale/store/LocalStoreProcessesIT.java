package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.event.EventSink;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real bale processes sharing one embedded store: at the same time, and killed half-way. */
class LocalStoreProcessesIT {
  private static final int PROCESSES = 4;

  @TempDir Path dir;

  private Process bale(Path root, String... args) throws IOException {
    List<String> full = new ArrayList<>(List.of("--store", "local?root=" + root));
    full.addAll(List.of(args));
    return new ProcessBuilder(command(full)).redirectErrorStream(true).start();
  }

  private static List<String> command(List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add("dev.bale.cli.Main");
    command.addAll(args);
    return command;
  }

  @Test
  void add_defaultStore_usesBaleRootOrBaleStoreFromTheEnvironment() throws Exception {
    Path source = Files.writeString(dir.resolve("item"), "item\n");
    ProcessBuilder byRoot = new ProcessBuilder(command(List.of("add", source.toString())));
    byRoot.environment().remove("BALE_STORE");
    byRoot.environment().put("BALE_ROOT", dir.resolve("by-root").toString());
    ProcessBuilder byStore = new ProcessBuilder(command(List.of("add", source.toString())));
    byStore.environment().remove("BALE_ROOT");
    byStore.environment().put("BALE_STORE", "local?store-dir=/nix/store&root=" + dir.resolve("s"));

    Process first = byRoot.redirectErrorStream(true).start();
    String firstOut = new String(first.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Process second = byStore.redirectErrorStream(true).start();
    String secondOut = new String(second.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(first.waitFor()).as(firstOut).isZero();
    assertThat(second.waitFor()).as(secondOut).isZero();
    StorePath inRoot = StorePath.parse("/gnu/store", firstOut.strip());
    StorePath inStore = StorePath.parse("/nix/store", secondOut.strip());
    assertThat(dir.resolve("by-root/store").resolve(inRoot.baseName())).hasContent("item");
    assertThat(dir.resolve("s/store").resolve(inStore.baseName())).hasContent("item");
  }

  @Test
  void add_severalProcessesAtOnce_allSucceedAndEachItemIsRegisteredOnce() throws Exception {
    Path root = dir.resolve("root");
    Path shared = Files.writeString(dir.resolve("shared"), "shared by all\n");
    List<Process> processes = new ArrayList<>();
    for (int i = 0; i < PROCESSES; i++) {
      Path own = Files.writeString(dir.resolve("own-" + i), "process " + i + "\n");
      processes.add(bale(root, "add", shared.toString(), own.toString()));
    }

    Set<String> sharedPaths = new HashSet<>();
    Set<String> ownPaths = new HashSet<>();
    for (Process process : processes) {
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(process.exitValue()).as(output).isZero();
      List<String> lines = output.lines().toList();
      assertThat(lines).hasSize(2);
      sharedPaths.add(lines.get(0));
      ownPaths.add(lines.get(1));
    }

    assertThat(sharedPaths).hasSize(1);
    assertThat(ownPaths).hasSize(PROCESSES);
    try (LocalStore store = Stores.openLocal("local?root=" + root)) {
      assertThat(store.validPaths()).hasSize(PROCESSES + 1);
      assertThat(Verifier.verify(store, store.validPaths(), EventSink.DISCARD)).isEmpty();
    }
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  @Test
  void add_processKilledHalfWay_leavesNothingHalfValidAndItsTreeIsCleanedUp() throws Exception {
    Path root = dir.resolve("root");
    Path big = dir.resolve("big");
    try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(64L << 20);
    }
    Process process = bale(root, "add", big.toString());
    Path temporary = root.resolve("tmp");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!hasEntries(temporary) && System.nanoTime() < deadline && process.isAlive()) {
      Thread.sleep(5);
    }
    process.destroyForcibly().waitFor();

    try (LocalStore store = Stores.openLocal("local?root=" + root)) {
      assertThat(temporary).isEmptyDirectory();
      for (StorePath path : store.validPaths()) {
        assertThat(store.physicalPath(path)).exists();
      }
      assertThat(Verifier.verify(store, store.validPaths(), EventSink.DISCARD)).isEmpty();
      StorePath added = store.add(big, "big");
      assertThat(store.validPaths()).containsExactly(added);
    }
  }

  private static boolean hasEntries(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.findAny().isPresent();
    }
  }
}
