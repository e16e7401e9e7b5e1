package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.store.StoreSnapshot;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcCommandTest {
  @TempDir Path dir;

  private record Result(int exitCode, String out, String err) {}

  private Result bale(String store, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] full = new String[args.length + 2];
    full[0] = "--store";
    full[1] = store;
    System.arraycopy(args, 0, full, 2, args.length);
    int code = Main.run(new PrintWriter(out), new PrintWriter(err), full);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void gc_rootedByAddAndByOption_printsTheRestAndTheBytesFreed() throws Exception {
    String store = "local?root=" + dir.resolve("root");
    Path kept = Files.writeString(dir.resolve("kept"), "kept\n");
    Path given = Files.writeString(dir.resolve("given"), "given\n");
    Path loose = Files.writeString(dir.resolve("loose"), "loose!\n");
    String keptPath = bale(store, "add", "--root", "mine", kept.toString()).out().strip();
    String givenPath = bale(store, "add", given.toString()).out().strip();
    String loosePath = bale(store, "add", loose.toString()).out().strip();

    Result dryRun = bale(store, "gc", "--dry-run", "--root", givenPath);
    Result gc = bale(store, "gc", "--root", givenPath);
    Result again = bale(store, "gc", "--root", givenPath);

    assertThat(dryRun.exitCode()).isZero();
    assertThat(dryRun.out()).isEqualTo(loosePath + "\n");
    assertThat(dryRun.err()).isEqualTo("bale: would delete 1 items, would free 7 bytes\n");
    assertThat(gc.exitCode()).isZero();
    assertThat(gc.out()).isEqualTo(loosePath + "\n");
    assertThat(gc.err()).isEqualTo("bale: deleted 1 items, freed 7 bytes\n");
    assertThat(again.out()).isEmpty();
    assertThat(bale(store, "verify").exitCode()).isZero();
    assertThat(bale(store, "path-info", keptPath).exitCode()).isZero();
    assertThat(bale(store, "path-info", loosePath).exitCode()).isEqualTo(1);
    assertThat(Files.readSymbolicLink(dir.resolve("root/var/bale/gcroots/mine")))
        .isEqualTo(Path.of(keptPath));
  }

  @Test
  void gc_linkPlacedInTheRootsDirectory_keepsItsItem_andHelpNamesTheDirectory() throws Exception {
    Path root = dir.resolve("root");
    String store = "local?root=" + root;
    String kept =
        bale(store, "add", Files.writeString(dir.resolve("kept"), "k\n").toString()).out();
    Path roots = Files.createDirectories(root.resolve("var/bale/gcroots"));
    Files.createSymbolicLink(roots.resolve("by-hand"), Path.of(kept.strip()));

    assertThat(bale(store, "gc").out()).isEmpty();
    assertThat(bale(store, "path-info", kept.strip()).exitCode()).isZero();
    assertThat(bale(store, "gc", "--help").out()).contains("ROOT/var/bale/gcroots");
    assertThat(bale(store, "add", "--help").out()).contains("ROOT/var/bale/gcroots/NAME");
  }

  @Test
  void gc_foreignStoreOrUnknownRoot_failsWithOneLineAndChangesNothing() throws Exception {
    Path root = dir.resolve("root");
    String store = "local?root=" + root;
    bale(store, "add", Files.writeString(dir.resolve("item"), "item\n").toString());
    StoreSnapshot before = StoreSnapshot.of(root);

    Result foreign = bale("nix?root=" + dir, "gc");
    Result unknown = bale(store, "gc", "--root", "no-such-package");

    assertThat(foreign.exitCode()).isEqualTo(1);
    assertThat(foreign.err()).startsWith("bale: cannot write to store 'nix?root=").hasLineCount(1);
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err()).contains("no-such-package").hasLineCount(1);
    assertThat(StoreSnapshot.of(root)).isEqualTo(before);
  }
}
