package dev.bale.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bale.hash.Digest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Checks store paths of source items against paths that the real Nix 2.8 gave: {@code nix-store
 * --add} for an item without references, {@code nix store make-content-addressed} for one with two
 * (NixStoreIT repeats both against a live Nix).
 */
class ContentAddressTest {
  private static final String NIX = "/nix/store";
  private static final StorePath MIDDLE =
      StorePath.parse(NIX, NIX + "/fbrxh459c0hzaw7lddivlvw32vcck7p5-middle-2.1");
  private static final StorePath LEAF =
      StorePath.parse(NIX, NIX + "/kf9z6vlhr75vaj0hpk4730xhzxg0f02x-leaf-1.0");
  private static final Digest TOP_NAR =
      Digest.parse("sha256:d542155c71d911d9ce9c34c97e1cd30f89cea59e1642e91a430fd94d3082a5a6");

  @Test
  void fingerprint_twoReferences_listsThemSortedBeforeHashDirectoryAndName() {
    String fingerprint = ContentAddress.fingerprint(NIX, "top-3", TOP_NAR, List.of(LEAF, MIDDLE));

    assertThat(fingerprint)
        .isEqualTo(
            "source"
                + ":/nix/store/fbrxh459c0hzaw7lddivlvw32vcck7p5-middle-2.1"
                + ":/nix/store/kf9z6vlhr75vaj0hpk4730xhzxg0f02x-leaf-1.0"
                + ":sha256:d542155c71d911d9ce9c34c97e1cd30f89cea59e1642e91a430fd94d3082a5a6"
                + ":/nix/store:top-3");
  }

  @Test
  void sourcePath_twoReferences_isThePathNixMakeContentAddressedGave() {
    StorePath path = ContentAddress.sourcePath(NIX, "top-3", TOP_NAR, List.of(LEAF, MIDDLE));

    assertThat(path).hasToString("/nix/store/1q7w64z032z82m1zl0z1i9yab668jpmy-top-3");
    assertThat(ContentAddress.sourcePath(NIX, "top-3", TOP_NAR, List.of(MIDDLE, LEAF)))
        .isEqualTo(path);
  }

  @Test
  void sourcePath_noReferences_isThePathNixStoreAddGave() {
    Digest nar =
        Digest.parse("sha256:1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13");

    assertThat(ContentAddress.fingerprint(NIX, "greeting", nar, List.of()))
        .isEqualTo("source:sha256:" + nar.hex() + ":/nix/store:greeting");
    assertThat(ContentAddress.sourcePath(NIX, "greeting", nar, List.of()))
        .hasToString("/nix/store/5nfjhql2p2cvh7d7sz3cxy0wzgr2k6nf-greeting");
  }

  @Test
  void sourcePath_otherDirectoryOrOneReferenceLess_givesAnotherHash() {
    StorePath nix = ContentAddress.sourcePath(NIX, "top-3", TOP_NAR, List.of(LEAF, MIDDLE));

    assertThat(ContentAddress.sourcePath("/gnu/store", "top-3", TOP_NAR, List.of(LEAF, MIDDLE)))
        .extracting(StorePath::hash)
        .isNotEqualTo(nix.hash());
    assertThat(ContentAddress.sourcePath(NIX, "top-3", TOP_NAR, List.of(MIDDLE)))
        .extracting(StorePath::hash)
        .isNotEqualTo(nix.hash());
  }

  @Test
  void fold_xorsEachByteIntoItsPlaceModuloTheSize() {
    byte[] hash = new byte[32];
    for (int i = 0; i < 32; i++) {
      hash[i] = (byte) (i * 37 + 1);
    }

    byte[] folded = ContentAddress.fold(hash, 20);

    assertThat(folded).hasSize(20);
    for (int i = 0; i < 20; i++) {
      byte expected = (byte) (hash[i] ^ (i + 20 < 32 ? hash[i + 20] : 0));
      assertThat(folded[i]).as("byte %d", i).isEqualTo(expected);
    }
  }
}
