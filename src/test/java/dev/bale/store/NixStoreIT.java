package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.cli.Main;
import dev.bale.hash.Digest;
import dev.bale.nar.NarNixIT;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Compares bale's stores and commands with the real Nix, in chroot stores. */
class NixStoreIT {
  @TempDir static Path shared;
  static NixChrootStore nix;
  static NixChrootStore.Closure closure;

  @TempDir Path dir;

  @BeforeAll
  static void buildClosure() {
    nix = NixChrootStore.create(shared);
    closure = nix.buildClosure("it");
  }

  private record Result(int exitCode, String out, String err) {}

  private static Result bale(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  private Path sourceTrees() throws Exception {
    Path sources = Files.createDirectories(dir.resolve("sources"));
    Files.writeString(sources.resolve("file.txt"), "plain file\n");
    Path script = Files.writeString(sources.resolve("script"), "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-x---"));
    Path tree = Files.createDirectories(sources.resolve("tree"));
    Files.createDirectories(tree.resolve("bin"));
    Files.createDirectories(tree.resolve("empty"));
    Files.writeString(tree.resolve("bin/tool"), "#!/bin/sh\n");
    Files.setPosixFilePermissions(
        tree.resolve("bin/tool"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(tree.resolve("README"), "read me\n");
    Files.write(tree.resolve("binary"), new byte[] {0, 1, 2, (byte) 0xff, 10});
    Files.createSymbolicLink(tree.resolve("link"), Path.of("README"));
    Files.createSymbolicLink(tree.resolve("dangling"), Path.of("/nonexistent/target"));
    Files.createSymbolicLink(tree.resolve("bin/up"), Path.of("../README"));
    Files.createSymbolicLink(sources.resolve("toplink"), Path.of("tree/README"));
    Files.writeString(sources.resolve("odd+name=1.0_x?"), "odd\n");
    return sources;
  }

  @Test
  void add_variousTrees_givesTheSamePathsAndHashesAsNixStoreAdd() throws Exception {
    Path sources = sourceTrees();
    String uri = "local?root=" + dir.resolve("bale") + "&store-dir=/nix/store";

    for (String name : List.of("file.txt", "script", "tree", "toplink", "odd+name=1.0_x?")) {
      Path source = sources.resolve(name);
      StorePath expected = nix.add(source);

      Result added = bale("--store", uri, "add", source.toString());
      assertThat(added.err()).isEmpty();
      assertThat(added.exitCode()).isZero();
      assertThat(added.out()).isEqualTo(expected + "\n");

      Result info = bale("--store", uri, "path-info", expected.toString());
      assertThat(info.out())
          .contains("nar-hash: " + nix.nixStore("-q", "--hash", expected.toString()).strip())
          .contains("nar-size: " + nix.nixStore("-q", "--size", expected.toString()).strip());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.bale.nar.NarNixIT#trees")
  void add_narTestTrees_givesThePathHashAndSizeOfNixStoreAdd(String name, NarNixIT.Tree tree)
      throws Exception {
    Path source = dir.resolve("tree");
    tree.build(source);
    String uri = "local?root=" + dir.resolve("bale") + "&store-dir=/nix/store";

    StorePath expected = nix.add(source);
    Result added = bale("--store", uri, "add", source.toString());
    Result info = bale("--store", uri, "path-info", expected.toString());

    assertThat(added.err()).isEmpty();
    assertThat(added.exitCode()).isZero();
    assertThat(added.out()).isEqualTo(expected + "\n");
    assertThat(info.exitCode()).isZero();
    assertThat(info.out())
        .contains("nar-hash: " + nix.nixStore("-q", "--hash", expected.toString()).strip() + "\n")
        .contains("nar-size: " + nix.nixStore("-q", "--size", expected.toString()).strip() + "\n");
  }

  @Test
  void fingerprint_noReferences_hashedByNixHashTruncate_isTheHashOfNixStoreAdd() throws Exception {
    Path source = Files.writeString(dir.resolve("greeting"), "hello\n");
    StorePath added = nix.add(source);
    Digest nar = Digest.parse(nix.nixStore("-q", "--hash", added.toString()).strip());

    String fingerprint = ContentAddress.fingerprint("/nix/store", "greeting", nar, List.of());

    // Shows that nix-hash --truncate folds a hash as Nix folds store path hashes.
    assertThat(truncatedNixHash(fingerprint)).isEqualTo(added.hash());
  }

  /**
   * Rewrites a closure that nix-build made into content-addressed source items with {@code nix
   * store make-content-addressed}, which names each one from its NAR hash and its references, as
   * {@code bale add} does; the top item has two references.
   */
  @Test
  void sourcePath_twoReferences_matchesNixMakeContentAddressedAndNixHashTruncate()
      throws Exception {
    NixChrootStore own = NixChrootStore.create(Files.createDirectories(dir.resolve("nix")));
    NixChrootStore.Closure built = own.buildClosure("content-addressed");
    String json = own.nix("store", "make-content-addressed", "--json", built.top().toString());
    String rewritten =
        new ObjectMapper().readTree(json).get("rewrites").get(built.top().toString()).asText();
    StorePath top = StorePath.parse("/nix/store", rewritten);
    List<StorePath> references =
        own.nixStore("-q", "--references", top.toString())
            .lines()
            .map(line -> StorePath.parse("/nix/store", line))
            .sorted()
            .toList();
    Digest nar = Digest.parse(own.nixStore("-q", "--hash", top.toString()).strip());

    String fingerprint = ContentAddress.fingerprint("/nix/store", "top-3", nar, references);

    assertThat(references)
        .extracting(StorePath::name)
        .containsExactlyInAnyOrder("leaf-1.0", "middle-2.1");
    assertThat(fingerprint)
        .isEqualTo(
            "source:"
                + references.get(0)
                + ":"
                + references.get(1)
                + ":sha256:"
                + nar.hex()
                + ":/nix/store:top-3");
    assertThat(truncatedNixHash(fingerprint)).isEqualTo(top.hash());
    assertThat(ContentAddress.sourcePath("/nix/store", "top-3", nar, references)).isEqualTo(top);

    // bale add, given the trees references first, scans each and names it as Nix did.
    StorePath middle =
        references.stream().filter(p -> p.name().equals("middle-2.1")).findFirst().orElseThrow();
    StorePath leaf =
        references.stream().filter(p -> p.name().equals("leaf-1.0")).findFirst().orElseThrow();
    String uri = "local?root=" + dir.resolve("bale") + "&store-dir=/nix/store";
    for (StorePath item : List.of(leaf, middle, top)) {
      Result added =
          bale("--store", uri, "add", "--name", item.name(), own.physicalPath(item).toString());
      assertThat(added.err()).isEmpty();
      assertThat(added.out()).isEqualTo(item + "\n");
    }
    assertThat(bale("--store", uri, "references", top.toString()).out().lines().sorted())
        .containsExactlyElementsOf(references.stream().map(StorePath::toString).toList());
  }

  private String truncatedNixHash(String text) throws Exception {
    Path file = Files.writeString(dir.resolve("fingerprint.txt"), text);
    return nix.nixHash("--type", "sha256", "--truncate", "--base32", "--flat", file.toString())
        .strip();
  }

  @Test
  void requisites_builtClosure_equalsNixStoreQR() {
    for (StorePath item : closure.all()) {
      Result result = bale("--store", nix.uri(), "requisites", item.toString());
      assertThat(result.err()).isEmpty();
      assertThat(result.exitCode()).isZero();
      assertThat(result.out()).isEqualTo(nix.nixStore("-qR", item.toString()));
    }
    assertThat(bale("--store", nix.uri(), "requisites", "top").out())
        .isEqualTo(nix.nixStore("-qR", closure.top().toString()));
  }

  @Test
  void references_builtClosure_equalNixStoreQueries() {
    for (StorePath item : closure.all()) {
      Result references = bale("--store", nix.uri(), "references", item.toString());
      assertThat(references.exitCode()).isZero();
      assertThat(sortedLines(references.out()))
          .isEqualTo(sortedLines(nix.nixStore("-q", "--references", item.toString())));

      Result referrers = bale("--store", nix.uri(), "referrers", item.toString());
      assertThat(referrers.exitCode()).isZero();
      assertThat(sortedLines(referrers.out()))
          .isEqualTo(sortedLines(nix.nixStore("-q", "--referrers", item.toString())));
    }
    assertThat(closure.top().toString()).isNotEqualTo(closure.leaf().toString());
  }

  @Test
  void pathInfo_builtClosure_matchesNixHashSizeAndReferences() throws Exception {
    try (Store store = Stores.open(nix.uri())) {
      for (StorePath item : closure.all()) {
        PathInfo info = store.pathInfo(item).orElseThrow();
        String path = item.toString();
        assertThat(info.narHash().toNixString())
            .isEqualTo(nix.nixStore("-q", "--hash", path).strip());
        assertThat(info.narSize())
            .isEqualTo(Long.parseLong(nix.nixStore("-q", "--size", path).strip()));
        assertThat(info.references().stream().map(StorePath::toString).toList())
            .isEqualTo(sortedLines(nix.nixStore("-q", "--references", path)));
        assertThat(info.deriver()).isEqualTo(nix.nixStore("-q", "--deriver", path).strip());
      }
      assertThat(store.references(closure.top()))
          .containsExactlyInAnyOrder(closure.middle(), closure.leaf());
    }
  }

  @Test
  void verify_builtClosure_findsNoCorruption() {
    Result result = bale("--store", nix.uri(), "verify");
    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
  }

  @Test
  void verify_corruptedItem_isNamedLikeNixStoreVerifyCheckContents() throws Exception {
    NixChrootStore own = NixChrootStore.create(dir);
    NixChrootStore.Closure built = own.buildClosure("corrupt");
    Path data = own.physicalPath(built.leaf()).resolve("data");
    Files.setPosixFilePermissions(data.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rw-r--r--"));
    Files.writeString(data, "tampered\n");

    Result result = bale("--store", own.uri(), "verify");
    ProcessBuilder check =
        new ProcessBuilder(
                "nix-store", "--store", own.root().toString(), "--verify", "--check-contents")
            .redirectErrorStream(true);
    Process nixVerify = check.start();
    String nixOutput = new String(nixVerify.getInputStream().readAllBytes());
    nixVerify.waitFor();

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines())
        .singleElement()
        .asString()
        .startsWith("bale: '" + built.leaf() + "' is corrupt: its NAR hash is ");
    assertThat(nixOutput).contains("'" + built.leaf() + "' was modified");
    assertThat(nixOutput).doesNotContain(built.middle().toString(), built.top().toString());
  }

  @Test
  void add_toNixStore_isRefusedAndLeavesItUnchanged() throws Exception {
    Path source = Files.writeString(dir.resolve("x"), "x\n");
    String before =
        nix.nixStore("-q", "--hash", closure.top().toString())
            + nix.nixStore("-qR", closure.top().toString());
    long files;
    try (var list = Files.list(nix.root().resolve("nix/store"))) {
      files = list.count();
    }

    Result result = bale("--store", nix.uri(), "add", source.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.out()).isEmpty();
    assertThat(result.err().lines()).singleElement().asString().contains("never writes");
    try (var list = Files.list(nix.root().resolve("nix/store"))) {
      assertThat(list.count()).isEqualTo(files);
    }
    assertThat(
            nix.nixStore("-q", "--hash", closure.top().toString())
                + nix.nixStore("-qR", closure.top().toString()))
        .isEqualTo(before);
  }

  private static List<String> sortedLines(String text) {
    return text.lines().sorted().toList();
  }
}
