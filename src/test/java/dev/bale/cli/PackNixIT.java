package dev.bale.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.store.NixChrootStore;
import dev.bale.store.StorePath;
import dev.bale.testing.Bale;
import dev.bale.testing.ImageValidator;
import dev.bale.testing.Program;
import java.nio.file.Path;
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
        bale.run("pack", "-f", "oci-dir", "-o", layout.toString(),
            "--image-tag", "top:oci", "-S", "/bin=bin", "--entry-point", "bin/run",
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
      PackIT.describe(nix.physicalPath(item)).forEach((name, what) ->
          expected.put(("nix/store/" + item.baseName() + "/" + name).replaceAll("/$", ""), what));
    }
    assertThat(PackIT.umociUnpack(layout, temp.resolve("bundle"))).isEqualTo(expected);
  }
}
