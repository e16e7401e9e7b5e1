package dev.bale.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bale.tar.TarEntry;
import dev.bale.testing.TestStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CustomisationTest {
  @TempDir Path temp;

  @ParameterizedTest
  @ValueSource(strings = {"/gnu", "/gnu/store", "/gnu/store/x", "/tmp", "/tmp/x"})
  void of_linkOverStoreOrTmp_isRejected(String link) {
    assertThatThrownBy(
            () -> Customisation.of("/gnu/store", List.of(new Symlink(link, "/gnu/store/a"))))
        .isInstanceOf(ImageException.class)
        .hasMessageContaining("'" + link + "'");
  }

  @Test
  void of_linkInsideAnotherLink_isRejected() {
    assertThatThrownBy(
            () ->
                Customisation.of(
                    "/gnu/store",
                    List.of(new Symlink("/bin", "/gnu/store/a"), new Symlink("/bin/sh", "x"))))
        .isInstanceOf(ImageException.class)
        .hasMessageContaining("'/bin/sh'")
        .hasMessageContaining("'/bin'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"bin", "/", "/bin/", "/a/../b", "/a/./b", "//a"})
  void symlink_notAbsoluteAndNormal_isRejected(String link) {
    assertThatThrownBy(() -> new Symlink(link, "x")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scan_itemAndLinksSharingParents_listEachEntryOnceInByteOrder() throws Exception {
    TestStore store = new TestStore(temp);
    ClosureItem item = store.add("data", tree -> Files.writeString(tree.resolve("f"), "x"));
    Customisation customisation =
        Customisation.of(
            "/gnu/store",
            List.of(new Symlink("/usr/bin/a", "/gnu/store/x"), new Symlink("/usr/bin/b", "y")));

    Layer.Content content = new Layer(List.of(item), customisation).scan();

    String base = "gnu/store/" + item.path().baseName();
    assertThat(content.entries())
        .extracting(TarEntry::name)
        .containsExactly(
            "gnu",
            "gnu/store",
            base,
            base + "/f",
            "tmp",
            "usr",
            "usr/bin",
            "usr/bin/a",
            "usr/bin/b");
  }
}
