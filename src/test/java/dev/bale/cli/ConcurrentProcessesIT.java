package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.store.StoreSnapshot;
import dev.bale.testing.Bale;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several bale processes adding, importing and collecting in one embedded store at once. */
class ConcurrentProcessesIT {
  private static final int ADDERS = 3;
  private static final int IMPORTERS = 3;

  private static final AtomicInteger PROCESSES = new AtomicInteger();

  @TempDir Path temp;

  @AfterAll
  static void printTotal() {
    System.out.println("ConcurrentProcessesIT: " + PROCESSES.get() + " bale processes in all");
  }

  private static Process start(Path root, List<String> args) throws IOException {
    PROCESSES.incrementAndGet();
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.bale.cli.Main"));
    command.addAll(List.of("--store", "local?root=" + root));
    command.addAll(args);
    return new ProcessBuilder(command).redirectErrorStream(true).start();
  }

  private static String finish(Process process) throws Exception {
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output;
  }

  private Path tree(String name, String text) throws IOException {
    Path tree = Files.createDirectories(temp.resolve("sources").resolve(name));
    for (int i = 0; i < 50; i++) {
      Files.writeString(tree.resolve("file-" + i), text + " " + i + "\n");
    }
    return tree;
  }

  /** Exports a closure of three items, the last referring to the second and that to the first. */
  private Path closureArchive() throws IOException {
    return closureArchive("", new ArrayList<>());
  }

  /**
   * Exports a closure of three items whose source trees' names start with {@code prefix}, and adds
   * their store paths to {@code paths}.
   */
  private Path closureArchive(String prefix, List<String> paths) throws IOException {
    Bale source = new Bale(temp.resolve("source" + prefix));
    String base = source.add(tree(prefix + "base", prefix + "base"), "base");
    Path lib = tree(prefix + "lib", prefix + "lib");
    Files.writeString(lib.resolve("needs"), base + "\n");
    String libPath = source.add(lib, "lib");
    Path app = tree(prefix + "app", prefix + "app");
    Files.writeString(app.resolve("needs"), libPath + "\n");
    String appPath = source.add(app, "app");
    paths.addAll(List.of(base, libPath, appPath));

    Path archive = temp.resolve("closure" + prefix + ".export");
    Bale.Result exported =
        source.run("archive", "--export", "-r", appPath, "-o", archive.toString());
    assertThat(exported.exitCode()).as(exported.err()).isZero();
    return archive;
  }

  @Test
  void addAndImport_sixProcessesAtOnce_allSucceedAndEachItemIsRegisteredOnce() throws Exception {
    Path root = temp.resolve("root");
    Path archive = closureArchive();
    Path shared = tree("shared", "the same for all");
    // The base item of the archive is also added directly, racing the importers for it.
    Path base = temp.resolve("sources/base");

    List<Process> adders = new ArrayList<>();
    List<Process> importers = new ArrayList<>();
    for (int i = 0; i < ADDERS; i++) {
      Path own = tree("own-" + i, "adder " + i);
      adders.add(start(root, List.of("add", shared.toString(), base.toString(), own.toString())));
      List<String> importing =
          List.of("archive", "--import", "--allow-unsigned", archive.toString());
      importers.add(start(root, importing));
    }

    Set<String> sharedPaths = new HashSet<>();
    Set<String> ownPaths = new HashSet<>();
    Set<String> imported = new HashSet<>();
    for (Process adder : adders) {
      List<String> lines = finish(adder).lines().toList();
      assertThat(lines).hasSize(3);
      sharedPaths.add(lines.get(0));
      imported.add(lines.get(1));
      ownPaths.add(lines.get(2));
    }
    for (Process importer : importers) {
      List<String> lines = finish(importer).lines().toList();
      assertThat(lines).hasSize(3);
      imported.addAll(lines);
    }

    System.out.printf(
        "ConcurrentProcessesIT: %d processes at once, %d adding and %d importing%n",
        ADDERS + IMPORTERS, ADDERS, IMPORTERS);
    assertThat(sharedPaths).hasSize(1);
    assertThat(ownPaths).hasSize(ADDERS);
    assertThat(imported).hasSize(3);
    long rows =
        StoreSnapshot.of(root).rows().stream().filter(row -> row.startsWith("ValidPaths|")).count();
    assertThat(rows).isEqualTo(1 + ADDERS + 3);
    try (Stream<Path> trees = Files.list(root.resolve("store"))) {
      assertThat(trees.count()).isEqualTo(rows);
    }
    Bale.Result verify = new Bale(root).run("verify");
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  /**
   * Collectors run one after another, and one more beside them, while importers register their
   * closures; the imported items are rooted by links made before the imports, as a user roots what
   * they fetch, and there is garbage to delete all along.
   */
  @Test
  void gc_runningBesideImports_keepsEveryImportedItemValid() throws Exception {
    Path root = temp.resolve("root");
    Bale bale = new Bale(root);
    List<String> imported = new ArrayList<>();
    List<Path> archives = new ArrayList<>();
    for (int i = 0; i < IMPORTERS; i++) {
      archives.add(closureArchive("-" + i + "-", imported));
    }
    Path roots = Files.createDirectories(root.resolve("var/bale/gcroots"));
    for (String path : imported) {
      Files.createSymbolicLink(
          roots.resolve(path.substring(path.lastIndexOf('/') + 1)), Path.of(path));
    }
    for (int i = 0; i < 6; i++) {
      bale.add(tree("garbage-" + i, "garbage " + i), "garbage");
    }

    List<Process> importers = new ArrayList<>();
    for (Path archive : archives) {
      importers.add(
          start(root, List.of("archive", "--import", "--allow-unsigned", archive.toString())));
    }
    Process beside = start(root, List.of("gc"));
    int collections = 1;
    while (importers.stream().anyMatch(Process::isAlive)) {
      finish(start(root, List.of("gc")));
      collections++;
    }

    for (Process importer : importers) {
      assertThat(finish(importer).lines()).hasSize(3);
    }
    finish(beside);
    System.out.printf(
        "ConcurrentProcessesIT: %d imports beside %d collections%n", IMPORTERS, collections);
    assertThat(collections).isGreaterThanOrEqualTo(2);
    Bale.Result last = bale.run("gc");
    assertThat(last.exitCode()).as(last.err()).isZero();

    for (String path : imported) {
      assertThat(bale.run("path-info", path).exitCode()).as(path).isZero();
    }
    Bale.Result verify = bale.run("verify");
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    try (Stream<Path> trees = Files.list(root.resolve("store"))) {
      assertThat(trees.count()).isEqualTo(imported.size());
    }
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }

  @Test
  void gc_runningBesideRootedAdds_keepsEveryRootedItem() throws Exception {
    Path root = temp.resolve("root");
    new Bale(root).add(tree("loose", "loose"), "loose");
    List<Process> adders = new ArrayList<>();
    for (int i = 0; i < ADDERS; i++) {
      Path own = tree("rooted-" + i, "rooted " + i);
      adders.add(start(root, List.of("add", "--root", "r" + i, own.toString())));
    }
    List<Process> collectors = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      collectors.add(start(root, List.of("gc")));
    }

    Set<String> rooted = new HashSet<>();
    for (Process adder : adders) {
      rooted.add(finish(adder).strip());
    }
    for (Process collector : collectors) {
      finish(collector);
    }
    System.out.printf(
        "ConcurrentProcessesIT: %d rooted adds beside %d collections%n", ADDERS, collectors.size());
    Bale.Result last = new Bale(root).run("gc");
    assertThat(last.exitCode()).as(last.err()).isZero();

    Bale.Result verify = new Bale(root).run("verify");
    assertThat(verify.exitCode()).as(verify.err()).isZero();
    for (String path : rooted) {
      assertThat(new Bale(root).run("path-info", path).exitCode()).as(path).isZero();
    }
    try (Stream<Path> trees = Files.list(root.resolve("store"))) {
      assertThat(trees.count()).isEqualTo(ADDERS);
    }
    assertThat(root.resolve("tmp")).isEmptyDirectory();
  }
}
