package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.store.StoreSnapshot;
import dev.bale.testing.Bale;
import dev.bale.testing.RegistryFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real bale processes killed with SIGKILL at seeded random moments: afterwards the store verifies,
 * no item is valid without its tree, an output file is complete or absent, and the next bale run
 * removes what the killed one left in temporary places.
 */
class KillIT {
  private static final long SEED = 0x6ba1eL;
  private static final int RUNS = 8;

  @TempDir Path temp;
  private final Random random = new Random(SEED);
  private final Map<String, Integer> phases = new TreeMap<>();

  private Process start(Path root, List<String> args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.bale.cli.Main"));
    command.addAll(List.of("--store", "local?root=" + root));
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.DISCARD)
        .start();
  }

  /** Runs the command to its end once and returns how long it took in milliseconds. */
  private long duration(Path root, List<String> args) throws Exception {
    long begin = System.nanoTime();
    Process process = start(root, args);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("uninterrupted %s", args).isZero();
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
  }

  /**
   * Starts the command, kills it after 40 to 110% of {@code duration}, and records the phase it was
   * in as far as the files tell: early (JVM start-up, reading, hashing in place, talking to a
   * registry: nothing temporary written yet), staging trees in the store's {@code tmp} (or gc
   * moving garbage there), writing beside {@code output}, or finished before the kill.
   */
  private void kill(String what, Path root, List<String> args, long duration, Path output)
      throws Exception {
    Process process = start(root, args);
    // Most of a short run is the JVM starting: the kills aim at its second half and just after.
    Thread.sleep((long) ((0.4 + random.nextDouble() * 0.7) * duration));
    String phase;
    if (!process.isAlive()) {
      phase = "finished";
    } else if (hasEntries(root.resolve("tmp"))) {
      // An add or import stages trees there; a collection moves garbage there to delete it.
      phase = "staging";
    } else if (output != null && !partialOutputs(output).isEmpty()) {
      phase = "writing";
    } else {
      phase = "early";
    }
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    phases.merge(what + " " + phase, 1, Integer::sum);
  }

  /** Checks the store after a kill through a next bale run, which must clean up after it. */
  private void checkStore(Path root) throws IOException {
    Bale.Result verify = new Bale(root).run("verify");
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  private static long rows(Path root) {
    return StoreSnapshot.of(root).rows().stream()
        .filter(row -> row.startsWith("ValidPaths|"))
        .count();
  }

  private static List<String> trees(Path root) throws IOException {
    try (Stream<Path> trees = Files.list(root.resolve("store"))) {
      return trees.map(tree -> tree.getFileName().toString()).sorted().toList();
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

  /** Returns the hidden temporary siblings that writing {@code output} makes. */
  private static List<Path> partialOutputs(Path output) throws IOException {
    String prefix = "." + output.getFileName();
    try (Stream<Path> siblings = Files.list(output.getParent())) {
      return siblings.filter(file -> file.getFileName().toString().startsWith(prefix)).toList();
    }
  }

  private Path sourceTree(String name, int files) throws IOException {
    Path tree = Files.createDirectories(temp.resolve("sources").resolve(name));
    byte[] bytes = new byte[4096];
    for (int i = 0; i < files; i++) {
      random.nextBytes(bytes);
      Files.write(tree.resolve("file-" + i), bytes);
    }
    return tree;
  }

  private void report() {
    System.out.println("KillIT phases at the kill: " + phases);
  }

  @Test
  void add_killedAtRandomMoments_leavesAStoreThatVerifiesAndCleansUp() throws Exception {
    Path root = temp.resolve("add");
    long duration = duration(root, List.of("add", sourceTree("warm-up", 100).toString()));

    List<String> sources = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      Path source = sourceTree("item-" + run, 100);
      sources.add(source.toString());
      kill("add", root, List.of("add", source.toString()), duration, null);
      checkStore(root);
    }
    report();

    // Every source adds after all; a tree left without its row is replaced on the way.
    List<String> all = new ArrayList<>(List.of("add"));
    all.addAll(sources);
    Bale.Result added = new Bale(root).run(all.toArray(String[]::new));
    assertThat(added.exitCode()).as(added.err()).isZero();
    List<String> gc = new ArrayList<>(List.of("gc"));
    added.out().lines().forEach(path -> gc.addAll(List.of("--root", path)));
    assertThat(new Bale(root).run(gc.toArray(String[]::new)).exitCode()).isZero();
    assertThat(trees(root)).hasSize((int) rows(root));
    assertThat(rows(root)).isEqualTo(RUNS);
    checkStore(root);
  }

  @Test
  void gc_killedAtRandomMoments_neverDeletesARootedItemOrLeavesAHalfOne() throws Exception {
    Path root = temp.resolve("gc");
    Bale bale = new Bale(root);
    String kept = bale.run("add", "--root", "kept", sourceTree("kept", 50).toString()).out();
    Path garbage = sourceTree("garbage", 0);
    long duration = 0;

    for (int run = 0; run < RUNS; run++) {
      for (int item = 0; item < 3; item++) {
        Files.writeString(garbage.resolve("file-" + item), "run " + run + "\n".repeat(50_000));
        bale.add(garbage, "garbage-" + item);
      }
      if (run == 0) {
        duration = duration(root, List.of("gc"));
        continue;
      }
      kill("gc", root, List.of("gc"), duration, null);
      checkStore(root);
      assertThat(bale.run("path-info", kept.strip()).exitCode()).isZero();
    }
    report();

    Bale.Result last = bale.run("gc");
    assertThat(last.exitCode()).as(last.err()).isZero();
    assertThat(trees(root)).containsExactly(kept.strip().substring("/gnu/store/".length()));
    assertThat(rows(root)).isEqualTo(1);
    checkStore(root);
  }

  @Test
  void import_killedAtRandomMoments_registersAllOrNothing() throws Exception {
    Path source = temp.resolve("source");
    Bale from = new Bale(source);
    String base = from.add(sourceTree("base", 150), "base");
    Path lib = sourceTree("lib", 100);
    Files.writeString(lib.resolve("needs"), base + "\n");
    String libPath = from.add(lib, "lib");
    Path app = sourceTree("app", 100);
    Files.writeString(app.resolve("needs"), libPath + "\n");
    String appPath = from.add(app, "app");
    Path archive = temp.resolve("closure.nar-export");
    Bale.Result exported = from.run("archive", "--export", "-r", appPath, "-o", archive.toString());
    assertThat(exported.exitCode()).as(exported.err()).isZero();
    List<String> importing = List.of("archive", "--import", "--allow-unsigned", archive.toString());
    long duration = duration(temp.resolve("warm-up"), importing);

    for (int run = 0; run < RUNS; run++) {
      Path root = temp.resolve("import-" + run);
      kill("import", root, importing, duration, null);
      if (!Files.exists(root.resolve("db/db.sqlite"))) {
        continue;
      }
      checkStore(root);
      assertThat(rows(root)).isIn(0L, 3L);

      Bale.Result again = new Bale(root).run(importing.toArray(String[]::new));
      assertThat(again.exitCode()).as(again.err()).isZero();
      assertThat(rows(root)).isEqualTo(3);
      assertThat(trees(root)).hasSize(3);
      checkStore(root);
    }
    report();
  }

  @Test
  void packAndPush_killedAtRandomMoments_leaveACompleteOutputOrNone() throws Exception {
    Path root = temp.resolve("store");
    Bale bale = new Bale(root);
    String hello = bale.addHelloClosure(temp.resolve("work"), "killed and alive").get(1);
    Path reference = temp.resolve("reference.tar");
    List<String> pack = List.of("pack", "--image-tag", "hello:k", hello, "-o");
    assertThat(bale.run(concat(pack, reference.toString())).exitCode()).isZero();
    byte[] expected = Files.readAllBytes(reference);
    Path output = Files.createDirectories(temp.resolve("out")).resolve("hello.tar");
    List<String> packing = List.of(concat(pack, output.toString()));
    long duration = duration(root, packing);

    for (int run = 0; run < RUNS; run++) {
      Files.deleteIfExists(output);
      kill("pack", root, packing, duration, output);
      if (Files.exists(output)) {
        assertThat(Files.readAllBytes(output)).isEqualTo(expected);
      }
    }
    // The next run deletes what every killed one left beside the output.
    Bale.Result repacked = bale.run(packing.toArray(String[]::new));
    assertThat(repacked.exitCode()).as(repacked.err()).isZero();
    assertThat(Files.readAllBytes(output)).isEqualTo(expected);
    assertThat(partialOutputs(output)).isEmpty();
    checkStore(root);

    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      Path cache = temp.resolve("cache");
      List<String> push =
          List.of("push", "--cache-dir", cache.toString(), "--from", reference.toString());
      Bale.Result first = bale.run(concat(push, registry.host() + "/first:k"));
      assertThat(first.exitCode()).as(first.err()).isZero();
      String digest = first.out().strip().substring(first.out().indexOf('@'));
      long pushDuration = duration(root, List.of(concat(push, registry.host() + "/warm:k")));

      for (int run = 0; run < RUNS; run++) {
        String target = registry.host() + "/killed-" + run + ":k";
        kill("push", root, List.of(concat(push, target)), pushDuration, null);
        Bale.Result again = bale.run(concat(push, target));
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out().strip()).endsWith(digest);
      }
    }
    report();
  }

  private static String[] concat(List<String> args, String last) {
    List<String> all = new ArrayList<>(args);
    all.add(last);
    return all.toArray(String[]::new);
  }
}
