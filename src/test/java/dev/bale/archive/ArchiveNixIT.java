package dev.bale.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.archive.NixChroot.Result;
import dev.bale.cli.Main;
import dev.bale.store.LocalStore;
import dev.bale.store.NixChrootStore;
import dev.bale.store.PathInfo;
import dev.bale.store.StorePath;
import dev.bale.store.Stores;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Compares {@code bale archive} with {@code nix-store --export} and {@code --import} on a closure
 * that {@code nix-build} made in a chroot store.
 */
class ArchiveNixIT {
  @TempDir static Path shared;
  static NixChrootStore built;
  static NixChroot nix;
  static NixChrootStore.Closure closure;
  static byte[] nixExport;

  @TempDir Path dir;

  @BeforeAll
  static void buildAndExportClosure() throws Exception {
    built = NixChrootStore.create(shared);
    closure = built.buildClosure("archive");
    nix = new NixChroot(built.root());
    nixExport = nix.export(nix.requisites(closure.top().toString()));
  }

  @Test
  void export_recursive_isByteIdenticalToNixStoreExport() throws Exception {
    Path file = dir.resolve("closure.export");

    Bale result = bale("--store", built.uri(), "archive", "--export", "-r", top(), "-o", file);

    assertThat(result.err()).isEmpty();
    assertThat(result.code()).isZero();
    assertThat(Files.readAllBytes(file)).isEqualTo(nixExport);
  }

  @Test
  void export_oneItem_isByteIdenticalToNixStoreExport() throws Exception {
    Path file = dir.resolve("middle.export");
    String middle = closure.middle().toString();

    bale("--store", built.uri(), "archive", "--export", middle, "-o", file);

    assertThat(Files.readAllBytes(file)).isEqualTo(nix.export(List.of(middle)));
  }

  /**
   * Nix puts unrelated items in an order of its own (it depends on their hash parts); bale must
   * follow it for its exports to be byte-identical. The two salts give forks whose unrelated items
   * sort one way and the other by hash part.
   */
  @ParameterizedTest
  @CsvSource({"order-1, true", "x1, false"})
  void unrelatedItems_requisitesAndExports_matchNixByteForByte(String salt, boolean alphaFirst)
      throws Exception {
    NixChrootStore fork = NixChrootStore.create(Files.createDirectories(dir.resolve("fork")));
    List<StorePath> built = fork.buildFork(salt);
    String alpha = built.get(0).toString();
    String beta = built.get(1).toString();
    String both = built.get(2).toString();
    NixChroot forkNix = new NixChroot(fork.root());

    assertThat(alpha.compareTo(beta) < 0).as("alpha sorts before beta").isEqualTo(alphaFirst);
    assertThat(forkNix.references(both)).containsExactlyInAnyOrder(alpha, beta);
    assertThat(bale("--store", fork.uri(), "requisites", both).out())
        .isEqualTo(fork.nixStore("-qR", both));
    assertThat(bale("--store", fork.uri(), "requisites", beta, alpha).out())
        .isEqualTo(fork.nixStore("-qR", beta, alpha));
    assertThat(exported(fork, "-r", both)).isEqualTo(forkNix.export(forkNix.requisites(both)));
    assertThat(exported(fork, both, alpha, beta))
        .isEqualTo(forkNix.export(List.of(both, alpha, beta)));
    assertThat(exported(fork, beta, both, alpha))
        .isEqualTo(forkNix.export(List.of(beta, both, alpha)));
    assertThat(exported(fork, beta, alpha)).isEqualTo(forkNix.export(List.of(beta, alpha)));
  }

  private byte[] exported(NixChrootStore store, String... items) throws Exception {
    Path file = dir.resolve("exported-" + System.nanoTime());
    List<Object> args = new java.util.ArrayList<>(List.of("--store", store.uri(), "archive"));
    args.add("--export");
    args.addAll(List.of(items));
    args.addAll(List.of("-o", file));
    Bale result = bale(args.toArray());
    assertThat(result.err()).isEmpty();
    assertThat(result.code()).isZero();
    return Files.readAllBytes(file);
  }

  @Test
  void exportAndImport_throughStandardStreams_roundTrip() throws Exception {
    Path jar = Path.of("target/bale.jar");
    assertThat(jar).as("the packaged jar, built before integration tests").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String target = embeddedUri(dir.resolve("target"));

    Result exported =
        NixChroot.runUnchecked(
            Map.of(),
            null,
            java,
            "-jar",
            jar.toString(),
            "--store",
            built.uri(),
            "archive",
            "--export",
            "--recursive",
            top());
    Result imported =
        NixChroot.runUnchecked(
            Map.of(),
            exported.stdout(),
            java,
            "-jar",
            jar.toString(),
            "--store",
            target,
            "archive",
            "--import",
            "--allow-unsigned");

    assertThat(exported.stdout()).isEqualTo(nixExport);
    assertThat(imported.stderr()).isEmpty();
    assertThat(imported.text().lines()).containsExactlyElementsOf(exportOrder());
  }

  @Test
  void import_nixExport_givesItemsWithNixHashesThatVerify() throws Exception {
    Path file = Files.write(dir.resolve("closure.export"), nixExport);
    String target = embeddedUri(dir.resolve("target"));

    Bale imported = bale("--store", target, "archive", "--import", "--allow-unsigned", file);
    Bale verified = bale("--store", target, "verify");

    assertThat(imported.err()).isEmpty();
    assertThat(imported.out().lines()).containsExactlyElementsOf(exportOrder());
    assertThat(verified.err()).isEmpty();
    assertThat(verified.code()).isZero();
    try (LocalStore store = Stores.openLocal(target)) {
      assertThat(store.validPaths()).containsExactlyInAnyOrderElementsOf(closure.all());
      for (StorePath path : closure.all()) {
        PathInfo info = store.pathInfo(path).orElseThrow();
        assertThat(info.narHash().toNixString()).isEqualTo(nix.narHash(path.toString()));
        assertThat(info.narSize()).isEqualTo(nix.narSize(path.toString()));
        assertThat(info.references().stream().map(StorePath::toString))
            .containsExactlyInAnyOrderElementsOf(nix.references(path.toString()));
        assertThat(info.deriver()).endsWith(".drv");
      }
    }
  }

  @Test
  void export_fromEmbeddedStore_isByteIdenticalAndNixImportsIt() throws Exception {
    String target = embeddedUri(dir.resolve("target"));
    bale(
        "--store",
        target,
        "archive",
        "--import",
        "--allow-unsigned",
        Files.write(dir.resolve("in"), nixExport));
    Path file = dir.resolve("again.export");

    bale("--store", target, "archive", "--export", "-r", top(), "-o", file);
    NixChroot fresh = new NixChroot(dir.resolve("fresh/root"));
    Result imported = fresh.tryImport(Files.readAllBytes(file));

    assertThat(Files.readAllBytes(file)).isEqualTo(nixExport);
    assertThat(imported.exitCode()).as(imported.stderr()).isZero();
    assertThat(imported.text().lines()).containsExactlyElementsOf(exportOrder());
    for (StorePath path : closure.all()) {
      assertThat(fresh.narHash(path.toString())).isEqualTo(nix.narHash(path.toString()));
    }
  }

  @Test
  void signedExport_nixStoreImportSkipsTheSignature() throws Exception {
    String target = embeddedUri(dir.resolve("target"));
    bale("--store", target, "archive", "--import", "--allow-unsigned", write("in", nixExport));
    bale("--store", target, "archive", "--generate-key");
    Path file = dir.resolve("signed.export");

    bale("--store", target, "archive", "--export", "-r", top(), "-o", file);
    Result imported = new NixChroot(dir.resolve("fresh/root")).tryImport(Files.readAllBytes(file));

    assertThat(Files.readAllBytes(file)).isNotEqualTo(nixExport);
    assertThat(ExportFixtures.indexOf(Files.readAllBytes(file), "(signature")).isPositive();
    assertThat(imported.exitCode()).as(imported.stderr()).isZero();
    assertThat(imported.text().lines()).containsExactlyElementsOf(exportOrder());
  }

  @Test
  void signedExportAndImport_throughStandardStreamsOfTheJar() throws Exception {
    Path jar = Path.of("target/bale.jar");
    assertThat(jar).as("the packaged jar, built before integration tests").exists();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String source = embeddedUri(dir.resolve("source"));
    String target = embeddedUri(dir.resolve("target"));
    bale("--store", source, "archive", "--import", "--allow-unsigned", write("in", nixExport));
    String pub = bale("--store", source, "archive", "--generate-key").out().strip();

    Result exported =
        NixChroot.runUnchecked(
            Map.of(),
            null,
            java,
            "-jar",
            jar.toString(),
            "--store",
            source,
            "archive",
            "--export",
            "-r",
            top());
    Result refused =
        NixChroot.runUnchecked(
            Map.of(),
            exported.stdout(),
            java,
            "-jar",
            jar.toString(),
            "--store",
            target,
            "archive",
            "--import");
    Result authorized =
        NixChroot.runUnchecked(
            Map.of(),
            Files.readAllBytes(Path.of(pub)),
            java,
            "-jar",
            jar.toString(),
            "--store",
            target,
            "archive",
            "--authorize");
    Result imported =
        NixChroot.runUnchecked(
            Map.of(),
            exported.stdout(),
            java,
            "-jar",
            jar.toString(),
            "--store",
            target,
            "archive",
            "--import");

    assertThat(refused.exitCode()).isEqualTo(1);
    assertThat(refused.stderr().lines())
        .singleElement()
        .asString()
        .contains("it is not signed by an authorised key");
    assertThat(authorized.exitCode()).as(authorized.stderr()).isZero();
    assertThat(imported.stderr()).isEmpty();
    assertThat(imported.text().lines()).containsExactlyElementsOf(exportOrder());
  }

  private Path write(String name, byte[] bytes) throws Exception {
    return Files.write(dir.resolve(name), bytes);
  }

  @Test
  void addExportImport_betweenBaleStores_keepsTheClosure() throws Exception {
    String first = embeddedUri(dir.resolve("first"));
    String second = embeddedUri(dir.resolve("second"));
    Path lib = Files.createDirectories(dir.resolve("src/lib"));
    Files.writeString(lib.resolve("data"), "shared data\n");
    String libPath = bale("--store", first, "add", lib).out().strip();
    Path app = Files.writeString(dir.resolve("src/app"), "reads " + libPath + "/data\n");
    String appPath = bale("--store", first, "add", app).out().strip();
    Path file = dir.resolve("app.export");

    bale("--store", first, "archive", "--export", "-r", appPath, "-o", file);
    Bale imported = bale("--store", second, "archive", "--import", "--allow-unsigned", file);

    assertThat(imported.out().lines()).containsExactly(libPath, appPath);
    assertThat(bale("--store", second, "requisites", appPath).out())
        .isEqualTo(bale("--store", first, "requisites", appPath).out())
        .contains(libPath);
    assertThat(bale("--store", second, "verify").code()).isZero();
    assertThat(nix.tryImport(Files.readAllBytes(file)).exitCode()).isZero();
  }

  @Test
  void import_truncated_isRefusedLikeNixAndLeavesStoreUnchanged() throws Exception {
    byte[] truncated = Arrays.copyOf(nixExport, nixExport.length / 2);

    assertRefused(
        truncated, "bale: cannot import '" + badFile() + "': bad export archive at byte ", "");
    assertThat(freshNix().tryImport(truncated).exitCode()).isNotZero();
  }

  @Test
  void import_brokenNarStructure_isRefusedLikeNixAndLeavesStoreUnchanged() throws Exception {
    byte[] broken = nixExport.clone();
    broken[ExportFixtures.indexOf(broken, "regular")] = 'X';

    assertRefused(
        broken,
        "bale: cannot import '" + badFile() + "': bad export archive at byte ",
        "the NAR of item 1 is damaged");
    assertThat(freshNix().tryImport(broken).exitCode()).isNotZero();
  }

  @Test
  void import_unknownReference_isRefusedLikeNixAndLeavesStoreUnchanged() throws Exception {
    byte[] topOnly = nix.export(List.of(top()));

    assertRefused(
        topOnly,
        "bale: cannot import '" + top() + "': its reference '",
        "' is neither valid nor earlier in the archive");
    assertThat(freshNix().tryImport(topOnly).exitCode()).isNotZero();
  }

  /**
   * Documents the limit of unsigned exports: a changed content byte keeps the NAR well formed, and
   * neither Nix nor bale has a hash to compare it with, so both import the changed tree and record
   * its real hash (so that {@code verify} still passes).
   */
  @Test
  void import_changedContentByte_isAcceptedLikeNixWithItsRealHash() throws Exception {
    byte[] changed = nixExport.clone();
    changed[ExportFixtures.indexOf(changed, "leaf archive")] = 'L';
    String target = embeddedUri(dir.resolve("target"));

    Bale imported =
        bale(
            "--store",
            target,
            "archive",
            "--import",
            "--allow-unsigned",
            Files.write(dir.resolve("in"), changed));

    assertThat(imported.code()).isZero();
    assertThat(bale("--store", target, "verify").code()).isZero();
    try (LocalStore store = Stores.openLocal(target)) {
      PathInfo leaf = store.pathInfo(closure.leaf()).orElseThrow();
      assertThat(leaf.narHash().toNixString()).isNotEqualTo(nix.narHash(closure.leaf().toString()));
    }
    assertThat(freshNix().tryImport(changed).exitCode()).isZero();
  }

  @Test
  void export_unknownItem_isRefusedAndWritesNoFile() throws Exception {
    String unknown = "/nix/store/00000000000000000000000000000000-nothing";
    Path file = dir.resolve("out/never.export");
    Files.createDirectories(file.getParent());

    Bale result = bale("--store", built.uri(), "archive", "--export", unknown, "-o", file);

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.err().lines())
        .singleElement()
        .asString()
        .startsWith("bale: ")
        .contains(unknown);
    try (Stream<Path> files = Files.list(file.getParent())) {
      assertThat(files).isEmpty();
    }
  }

  /** Imports {@code archive} into a store holding one item and checks that it stays as it was. */
  private void assertRefused(byte[] archive, String start, String detail) throws Exception {
    String target = embeddedUri(dir.resolve("target"));
    Path other = Files.writeString(dir.resolve("other"), "already here\n");
    bale("--store", target, "add", other);
    Path file = Files.write(badFile(), archive);
    StoreState before;
    try (LocalStore store = Stores.openLocal(target)) {
      before = StoreState.of(store);
    }

    Bale result = bale("--store", target, "archive", "--import", "--allow-unsigned", file);

    assertThat(result.code()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines()).singleElement().asString().startsWith(start).contains(detail);
    try (LocalStore store = Stores.openLocal(target)) {
      assertThat(StoreState.of(store)).isEqualTo(before);
    }
  }

  private Path badFile() {
    return dir.resolve("bad.export");
  }

  private NixChroot freshNix() {
    return new NixChroot(dir.resolve("nix-" + System.nanoTime() + "/root"));
  }

  private static String top() {
    return closure.top().toString();
  }

  private static List<String> exportOrder() {
    return closure.all().stream().map(StorePath::toString).toList();
  }

  private static String embeddedUri(Path root) {
    return "local?root=" + root + "&store-dir=/nix/store";
  }

  private record Bale(int code, String out, String err) {}

  private static Bale bale(Object... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] strings = Arrays.stream(args).map(String::valueOf).toArray(String[]::new);
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), strings);
    return new Bale(code, out.toString(), err.toString());
  }
}
