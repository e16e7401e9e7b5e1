package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.store.NixChrootStore;
import dev.bale.store.StorePath;
import dev.bale.testing.Bale;
import dev.bale.testing.ImageValidator;
import dev.bale.testing.Podman;
import dev.bale.testing.Program;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Packs a closure that nix-build made in a chroot Nix store, read through bale's Nix store. */
class PackNixIT {
  @TempDir Path temp;

  @Test
  void pack_nixClosure_unpacksToTheNixItems() throws Exception {
    Program.require("umoci", "umoci");
    NixChrootStore nix = NixChrootStore.create(temp);
    NixChrootStore.Closure closure = nix.buildClosure("pack");
    Bale bale = new Bale(nix.uri());
    Path layout = temp.resolve("layout");

    Bale.Result result =
        bale.run(
            "pack",
            "-f",
            "oci-dir",
            "-o",
            layout.toString(),
            "--image-tag",
            "top:oci",
            "-S",
            "/bin=bin",
            "--entry-point",
            "bin/run",
            closure.top().toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).contains("3 items, 4 layers");
    ImageValidator.ociLayout(layout);
    Map<String, String> expected = new TreeMap<>();
    expected.put("nix", "directory 755");
    expected.put("nix/store", "directory 755");
    expected.put("tmp", "directory 1777");
    expected.put("bin", "symlink " + closure.top() + "/bin");
    for (StorePath item : closure.all()) {
      PackIT.describe(nix.physicalPath(item))
          .forEach(
              (name, what) ->
                  expected.put(
                      ("nix/store/" + item.baseName() + "/" + name).replaceAll("/$", ""), what));
    }
    assertThat(PackIT.umociUnpack(layout, temp.resolve("bundle"))).isEqualTo(expected);
  }

  @Test
  void pack_nixClosureWithBusybox_runsInPodman() throws Exception {
    NixChrootStore nix = NixChrootStore.create(temp);
    StorePath greet = nix.buildRunnableClosure("hello from a Nix closure");
    Bale bale = new Bale(nix.uri());
    Path archive = temp.resolve("greet.tar");

    Bale.Result result =
        bale.run(
            "pack",
            "-o",
            archive.toString(),
            "--image-tag",
            "greet:nix",
            "--entry-point",
            "bin/greet",
            "--entry-point-arg",
            "in podman",
            greet.toString());

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.err()).contains("2 items, 3 layers");
    ImageValidator.dockerArchive(archive);
    Podman podman = new Podman(temp.resolve("podman"));
    assertThat(podman.load(archive)).contains("greet:nix");
    Program.Result run = podman.run("localhost/greet:nix", List.of());
    assertThat(run.exitCode()).as(run.stderr()).isZero();
    assertThat(run.stdout()).isEqualTo("hello from a Nix closure in podman\n");
  }

  @Test
  void pack_nixClosureAgain_usesBalesOwnCacheAndReadsNoStoreItem() throws Exception {
    NixChrootStore nix = NixChrootStore.create(temp);
    NixChrootStore.Closure closure = nix.buildClosure("cache");
    Bale bale = new Bale(nix.uri());
    Path layout = temp.resolve("layout");
    Path database = nix.root().resolve("nix/var/nix/db/db.sqlite");
    String[] pack = {"pack", "-f", "oci-dir", "-o", layout.toString(), closure.top().toString()};

    Bale.Result first = bale.run(pack);
    assertThat(first.exitCode()).as(first.err()).isZero();
    byte[] index = Files.readAllBytes(layout.resolve("index.json"));
    byte[] nixDatabase = Files.readAllBytes(database);
    // The items' trees move away: a pack that opened any of their files would fail.
    Path items = nix.root().resolve("nix/store");
    Files.move(items, temp.resolve("moved"));
    Bale.Result second = bale.run(pack);

    assertThat(second.exitCode()).as(second.err()).isZero();
    assertThat(Files.readAllBytes(layout.resolve("index.json"))).isEqualTo(index);
    assertThat(Files.readAllBytes(database)).isEqualTo(nixDatabase);
    // Surefire and failsafe point XDG_CACHE_HOME into the build directory.
    assertThat(Path.of(System.getenv("XDG_CACHE_HOME"), "bale/layers.sqlite")).isRegularFile();
    ImageValidator.ociLayout(layout);
  }
}
