package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.store.StoreSnapshot;
import dev.bale.testing.Bale;
import dev.bale.testing.RegistryFixture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real bale processes killed with SIGKILL: afterwards the store verifies, no item is valid without
 * its tree, an output file is complete or absent, layer cache rows are whole, and the next bale run
 * removes what the killed one left in temporary places.
 *
 * <p>Half the kills of each command come at seeded random moments, the other half are aimed: the
 * test watches the files (or the registry's log) until the command starts writing, then kills it
 * within a few milliseconds. Each kill is counted by the phase it landed in, and every command must
 * have been killed while writing a few times, so that the checks after it are not vacuous.
 */
class KillIT {
  private static final long SEED = 0x6ba1eL;
  private static final int RUNS = 8;

  // Aimed kills land while writing unless the command finishes within this spread, so a quarter
  // of the runs holds even on a loaded machine.
  private static final int MIN_KILLS_WHILE_WRITING = RUNS / 4;
  private static final int AIM_SPREAD_MILLIS = 5;

  private static final Map<String, Integer> KILLS = new TreeMap<>();
  private static final AtomicInteger VERIFY_PASSES = new AtomicInteger();

  @TempDir Path temp;
  private final Random random = new Random(SEED);
  private final Map<String, Integer> phases = new TreeMap<>();

  /** Tells whether a running command has started writing what a kill could leave half done. */
  @FunctionalInterface
  private interface Writing {
    boolean now() throws IOException;
  }

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
   * Starts the command and kills it: on even runs as soon as {@code writing} holds (plus up to a
   * few milliseconds), on odd runs after 40 to 110% of {@code duration}. Records the phase the kill
   * landed in: early (JVM start-up, reading, hashing, asking the registry what it has), writing
   * (what {@code writing} watches: trees staged in the store's {@code tmp}, garbage moved there, a
   * hidden file beside the output, requests sending blobs), or finished before the kill.
   */
  private void kill(
      String what, Path root, List<String> args, long duration, int run, Writing writing)
      throws Exception {
    Process process = start(root, args);
    if (run % 2 == 0) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (process.isAlive() && !writing.now() && System.nanoTime() < deadline) {
        Thread.sleep(1);
      }
      Thread.sleep(random.nextInt(AIM_SPREAD_MILLIS));
    } else {
      // Most of a short run is the JVM starting: these kills aim at its second half and just after.
      Thread.sleep((long) ((0.4 + random.nextDouble() * 0.7) * duration));
    }

    String phase = !process.isAlive() ? "finished" : writing.now() ? "writing" : "early";
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    phases.merge(what + " " + phase, 1, Integer::sum);
    synchronized (KILLS) {
      KILLS.merge(what, 1, Integer::sum);
    }
  }

  /** Prints this test's phases and checks that enough kills of {@code what} came while writing. */
  private void report(String what) {
    System.out.println("KillIT phases at the kill: " + phases);
    assertThat(phases.getOrDefault(what + " writing", 0))
        .as("kills of %s while writing, in %s", what, phases)
        .isGreaterThanOrEqualTo(MIN_KILLS_WHILE_WRITING);
  }

  @AfterAll
  static void printTotals() {
    int kills = KILLS.values().stream().mapToInt(Integer::intValue).sum();
    System.out.printf(
        "KillIT: %d kills of add/import/pack/push/gc %s, %d verify passes%n",
        kills, KILLS, VERIFY_PASSES.get());
  }

  /** Checks the store after a kill through a next bale run, which must clean up after it. */
  private void checkStore(Path root) throws IOException {
    Bale.Result verify = new Bale(root).run("verify");
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    VERIFY_PASSES.incrementAndGet();
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  private static Writing staging(Path root) {
    return () -> hasEntries(root.resolve("tmp"));
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

  @Test
  void add_killedAtRandomMoments_leavesAStoreThatVerifiesAndCleansUp() throws Exception {
    Path root = temp.resolve("add");
    long duration = duration(root, List.of("add", sourceTree("warm-up", 100).toString()));

    List<String> sources = new ArrayList<>();
    for (int run = 0; run < RUNS; run++) {
      Path source = sourceTree("item-" + run, 100);
      sources.add(source.toString());
      kill("add", root, List.of("add", source.toString()), duration, run, staging(root));
      checkStore(root);
    }
    report("add");

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
    long duration = 0;

    for (int run = 0; run < RUNS; run++) {
      // Many small files, so that deleting the garbage takes long enough to be caught at it.
      for (int item = 0; item < 3; item++) {
        bale.add(sourceTree("garbage-" + run + "-" + item, 400), "garbage-" + item);
      }
      if (run == 0) {
        duration = duration(root, List.of("gc"));
        continue;
      }
      kill("gc", root, List.of("gc"), duration, run, staging(root));
      checkStore(root);
      assertThat(bale.run("path-info", kept.strip()).exitCode()).isZero();
    }
    report("gc");

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
      kill("import", root, importing, duration, run, staging(root));
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
    report("import");
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
      // Only a file of this run counts: the ones killed runs left are deleted by the next.
      List<Path> left = partialOutputs(output);
      Writing writing = () -> !left.containsAll(partialOutputs(output));
      kill("pack", root, packing, duration, run, writing);
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
    report("pack");

    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      Path cache = temp.resolve("cache");
      List<String> push =
          List.of("push", "--cache-dir", cache.toString(), "--from", reference.toString());
      Bale.Result first = bale.run(concat(push, registry.host() + "/first:k"));
      assertThat(first.exitCode()).as(first.err()).isZero();
      String digest = first.out().strip().substring(first.out().indexOf('@'));
      long pushDuration = duration(root, List.of(concat(push, registry.host() + "/warm:k")));

      for (int run = 0; run < RUNS; run++) {
        String repository = "killed-" + run;
        String target = registry.host() + "/" + repository + ":k";
        Writing sending = () -> registry.requests("POST", "/v2/" + repository + "/blobs/") > 0;
        kill("push", root, List.of(concat(push, target)), pushDuration, run, sending);
        Bale.Result again = bale.run(concat(push, target));
        assertThat(again.exitCode()).as(again.err()).isZero();
        assertThat(again.out().strip()).endsWith(digest);
      }
    }
    report("push");
  }

  @Test
  void pushItems_killedAtRandomMoments_leavesOnlyWholeLayerCacheRows() throws Exception {
    Path root = temp.resolve("items");
    Bale bale = new Bale(root);
    Bale reference = new Bale(temp.resolve("reference"));
    List<String> hellos = new ArrayList<>();

    try (RegistryFixture registry = RegistryFixture.start(temp)) {
      // A new hello item per run, so that every push has a layer the cache does not know. The
      // reference store pushes the same items uninterrupted and records the rows to expect.
      for (int run = 0; run <= RUNS; run++) {
        String text = "killed push " + run;
        hellos.add(bale.addHelloClosure(temp.resolve("work-" + run), text).get(1));
        reference.addHelloClosure(temp.resolve("reference-work-" + run), text);
        Bale.Result pushed =
            reference.run("push", hellos.get(run), registry.host() + "/ref:" + run);
        assertThat(pushed.exitCode()).as(pushed.err()).isZero();
      }
      Set<String> expected = layerCacheRows(temp.resolve("reference"));
      long duration =
          duration(root, List.of("push", hellos.get(RUNS), registry.host() + "/warm:k"));

      for (int run = 0; run < RUNS; run++) {
        String repository = "items-" + run;
        List<String> push = List.of("push", hellos.get(run), registry.host() + "/" + repository);
        Writing sending = () -> registry.requests("POST", "/v2/" + repository + "/blobs/") > 0;
        kill("push-items", root, push, duration, run, sending);
        checkStore(root);
        assertThat(expected).containsAll(layerCacheRows(root));

        Bale.Result again = bale.run(push.toArray(String[]::new));
        assertThat(again.exitCode()).as(again.err()).isZero();
      }
      assertThat(layerCacheRows(root)).isEqualTo(expected);
    }
    report("push-items");
  }

  /** Returns every row of the store's layer cache, one string per row. */
  private static Set<String> layerCacheRows(Path root) throws SQLException {
    String url = "jdbc:sqlite:" + root.resolve("db/db.sqlite");
    Set<String> rows = new TreeSet<>();
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet row =
            statement.executeQuery(
                "select key, compression, diffId, tarSize, digest, size from LayerCache")) {
      while (row.next()) {
        List<String> columns = new ArrayList<>();
        for (int column = 1; column <= 6; column++) {
          columns.add(row.getString(column));
        }
        rows.add(String.join("|", columns));
      }
    }
    return rows;
  }

  private static String[] concat(List<String> args, String last) {
    List<String> all = new ArrayList<>(args);
    all.add(last);
    return all.toArray(String[]::new);
  }
}
