package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bale.nar.NarWriter;
import dev.bale.store.StoreSnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StoreCommandsTest {
  @TempDir Path dir;
  Path root;
  String uri;
  Path lib;
  Path app;

  private record Result(int exitCode, String out, String err) {}

  private Result bale(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] full = new String[args.length + 2];
    full[0] = "--store";
    full[1] = uri;
    System.arraycopy(args, 0, full, 2, args.length);
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), full);
    return new Result(code, out.toString(), err.toString());
  }

  private String addOne(Path source, String... options) {
    String[] args = new String[options.length + 2];
    args[0] = "add";
    System.arraycopy(options, 0, args, 1, options.length);
    args[args.length - 1] = source.toString();
    Result result = bale(args);
    assertThat(result.err()).isEmpty();
    assertThat(result.exitCode()).isZero();
    assertThat(result.out().lines()).hasSize(1);
    return result.out().strip();
  }

  @BeforeEach
  void fill() throws Exception {
    root = dir.resolve("root");
    uri = "local?root=" + root;
    lib = Files.writeString(dir.resolve("libfoo-1.2"), "library\n");
    String libPath = addOne(lib);
    app = Files.createDirectories(dir.resolve("app"));
    Files.writeString(app.resolve("config"), "uses " + libPath + "\n");
  }

  /** Runs a command that must fail and checks one line on stderr and an unchanged store. */
  private Result failing(int exitCode, String... args) {
    StoreSnapshot before = StoreSnapshot.of(root);
    Result result = bale(args);
    assertThat(result.exitCode()).isEqualTo(exitCode);
    assertThat(result.out()).isEmpty();
    assertThat(result.err()).startsWith("bale: ").doesNotContain("\tat ");
    if (exitCode == 1) {
      assertThat(result.err().lines()).hasSize(1);
    }
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
    return result;
  }

  @Test
  void add_severalPaths_printsOneStorePathEach() throws Exception {
    Path other = Files.writeString(dir.resolve("other"), "other\n");

    Result result = bale("add", other.toString(), app.toString());

    assertThat(result.exitCode()).isZero();
    assertThat(result.err()).isEmpty();
    assertThat(result.out().lines())
        .hasSize(2)
        .satisfiesExactly(
            first -> assertThat(first).startsWith("/gnu/store/").endsWith("-other"),
            second -> assertThat(second).startsWith("/gnu/store/").endsWith("-app"));
  }

  @Test
  void add_withName_usesIt() {
    assertThat(addOne(app, "--name", "my-app-1.0")).endsWith("-my-app-1.0");
  }

  @Test
  void add_nameWithTwoPaths_isUsageError() {
    Result result = failing(2, "add", "--name", "x", lib.toString(), app.toString());
    assertThat(result.err())
        .startsWith("bale: --name takes one PATH, not 2 (see 'bale add --help')\n");
  }

  @Test
  void add_emptyPath_isUsageErrorNotTheCurrentDirectory() {
    Result result = failing(2, "add", "");
    assertThat(result.err())
        .startsWith("bale: an empty PATH operand was given (see 'bale add --help')\n");
  }

  @Test
  void pack_emptyOperand_isUsageError() {
    Result result = failing(2, "pack", "-o", dir.resolve("x.tar").toString(), "");
    assertThat(result.err())
        .startsWith("bale: an empty ITEM|PATH operand was given (see 'bale pack --help')\n");
    assertThat(dir.resolve("x.tar")).doesNotExist();
  }

  @Test
  void queries_appReferringToLib_printClosureReferencesAndReferrers() {
    String libPath = addOne(lib);
    String appPath = addOne(app);

    assertThat(bale("requisites", appPath).out()).isEqualTo(libPath + "\n" + appPath + "\n");
    assertThat(bale("requisites", "app", "libfoo").out())
        .isEqualTo(libPath + "\n" + appPath + "\n");
    assertThat(bale("references", "app").out()).isEqualTo(libPath + "\n");
    assertThat(bale("references", "libfoo-1.2").out()).isEmpty();
    assertThat(bale("referrers", "libfoo").out()).isEqualTo(appPath + "\n");
    assertThat(bale("referrers", appPath).exitCode()).isZero();
  }

  @Test
  void pathInfo_text_showsHashSizesAndReferences() throws Exception {
    String libPath = addOne(lib);
    String appPath = addOne(app);
    var libNar = NarWriter.summarize(lib);
    var appNar = NarWriter.summarize(app);

    Result result = bale("path-info", "app");

    assertThat(result.exitCode()).isZero();
    assertThat(result.out())
        .isEqualTo(
            appPath
                + "\n"
                + "  nar-hash: "
                + appNar.hash().toNixString()
                + "\n"
                + "  nar-size: "
                + appNar.size()
                + "\n"
                + "  closure-size: "
                + (appNar.size() + libNar.size())
                + "\n"
                + "  references:\n"
                + "    "
                + libPath
                + "\n");
  }

  @Test
  void pathInfo_json_listsEveryItem() throws Exception {
    String libPath = addOne(lib);
    String appPath = addOne(app);

    Result result = bale("path-info", "--json", appPath, "libfoo");

    assertThat(result.exitCode()).isZero();
    JsonNode json = new ObjectMapper().readTree(result.out());
    assertThat(json).hasSize(2);
    assertThat(json.get(0).get("path").asText()).isEqualTo(appPath);
    assertThat(json.get(0).get("references").get(0).asText()).isEqualTo(libPath);
    assertThat(json.get(1).get("narHash").asText())
        .isEqualTo(NarWriter.summarize(lib).hash().toNixString());
    assertThat(json.get(1).get("closureSize").asLong()).isEqualTo(NarWriter.summarize(lib).size());
  }

  @Test
  void verify_intactStore_succeedsSilently() {
    addOne(app);
    Result result = bale("verify");
    assertThat(result).isEqualTo(new Result(0, "", ""));
  }

  @Test
  void verify_corruptItems_namesEachOnStderrAndExits1() throws Exception {
    String libPath = addOne(lib);
    String appPath = addOne(app);
    Path libTree = root.resolve("store").resolve(Path.of(libPath).getFileName());
    Files.setPosixFilePermissions(libTree, PosixFilePermissions.fromString("rw-r--r--"));
    Files.writeString(libTree, "tampered\n");
    Path appTree = root.resolve("store").resolve(Path.of(appPath).getFileName());
    Files.setPosixFilePermissions(appTree, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(appTree.resolve("extra"), "x");

    Result all = bale("verify");
    Result one = bale("verify", "libfoo");

    assertThat(all.exitCode()).isEqualTo(1);
    assertThat(all.out()).isEmpty();
    assertThat(all.err().lines())
        .satisfiesExactlyInAnyOrder(
            line -> assertThat(line).startsWith("bale: '" + libPath + "' is corrupt: its NAR hash"),
            line ->
                assertThat(line).startsWith("bale: '" + appPath + "' is corrupt: its NAR hash"));
    assertThat(one.exitCode()).isEqualTo(1);
    assertThat(one.err().lines()).singleElement().asString().contains(libPath);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "requisites | nothing | bale: no valid item of store",
        "references | /gnu/store/00000000000000000000000000000000-x | is not a valid item",
        "referrers | /tmp/x | is not in the store directory '/gnu/store'",
        "path-info | nothing | bale: no valid item of store",
        "verify | nothing | bale: no valid item of store",
        "add | /nonexistent/file | bale: cannot add '/nonexistent/file': no such file",
      })
  void commands_badItem_failWithOneLineAndNoChange(String command, String item, String message) {
    Result result = failing(1, command, item);
    assertThat(result.err()).contains(message);
  }

  @Test
  void add_badName_failsWithOneLineAndNoChange() {
    Result result = failing(1, "add", "--name", ".hidden", lib.toString());
    assertThat(result.err()).contains("'.hidden': not a valid store item name");
  }

  @Test
  void commands_badStoreUri_failWithOneLine() {
    uri = "docker";
    Result result = failing(1, "requisites", "x");
    assertThat(result.err())
        .isEqualTo(
            "bale: cannot open store 'docker': unknown kind 'docker'; use local, guix or"
                + " nix\n");
  }

  @Test
  void add_toForeignStore_isRefused() {
    uri = "nix?root=" + dir.resolve("nix");
    StoreSnapshot before = StoreSnapshot.of(root);

    Result result = bale("add", lib.toString());

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.err())
        .isEqualTo(
            "bale: cannot write to store '"
                + uri
                + "': bale never writes into a Guix or"
                + " Nix store; use the embedded store (--store local)\n");
    assertThat(dir.resolve("nix")).doesNotExist();
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }
}
